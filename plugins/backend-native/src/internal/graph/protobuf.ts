/**
 * The few protobuf encodings a TensorFlow SavedModel needs (varints, length-delimited fields,
 * fixed32 floats). Writes only; field numbers are the caller's. Contract: `finish()` returns the
 * encoding of every field written so far, in order.
 */
export class ProtoWriter {
  #buf = new Uint8Array(256);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  #varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    this.#reserve(10);
    while (v >= 0x80n) {
      this.#buf[this.#len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buf[this.#len++] = Number(v);
  }

  /** A varint field (int32/int64/enum/bool); negative numbers as 64-bit two's complement, as protobuf does. */
  int(field: number, value: number | boolean): this {
    this.#varint((field << 3) | 0);
    this.#varint(typeof value === 'boolean' ? Number(value) : value);
    return this;
  }

  float(field: number, value: number): this {
    this.#varint((field << 3) | 5);
    this.#reserve(4);
    new DataView(this.#buf.buffer).setFloat32(this.#len, value, true);
    this.#len += 4;
    return this;
  }

  blob(field: number, data: Uint8Array): this {
    this.#varint((field << 3) | 2);
    this.#varint(data.length);
    this.#reserve(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.blob(field, new TextEncoder().encode(s));
  }

  /** A nested message, written by `fill`. */
  message(field: number, fill: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    fill(inner);
    return this.blob(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}
