// A minimal protobuf writer: just the wire types TensorBoard's messages use.
// Tag = (field << 3) | wire type; 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.

const enc = new TextEncoder();

/** Builds one message; nested messages are written with `message(field, build)`. */
export class ProtoWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  #push(bytes: Uint8Array): this {
    this.#parts.push(bytes);
    this.#length += bytes.length;
    return this;
  }

  #tag(field: number, wire: number): this {
    return this.#rawVarint(BigInt((field << 3) | wire));
  }

  #rawVarint(v: bigint): this {
    // Negative int32/int64 values are sent as their 64-bit two's complement: 10 bytes.
    let x = BigInt.asUintN(64, v);
    const out: number[] = [];
    while (x >= 0x80n) {
      out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    out.push(Number(x));
    return this.#push(Uint8Array.from(out));
  }

  /** int32/int64/enum/bool field as a varint (proto3 emits it even when 0 here: harmless). */
  varint(field: number, value: number | bigint | boolean): this {
    const v = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
    return this.#tag(field, 0).#rawVarint(v);
  }

  double(field: number, value: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    return this.#tag(field, 1).#push(b);
  }

  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.#tag(field, 5).#push(b);
  }

  bytes(field: number, value: Uint8Array): this {
    return this.#tag(field, 2).#rawVarint(BigInt(value.length)).#push(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, enc.encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    build(w);
    return this.bytes(field, w.finish());
  }

  /** `repeated double` in packed form. */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    const b = new Uint8Array(values.length * 8);
    const view = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
    return this.bytes(field, b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let off = 0;
    for (const p of this.#parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}
