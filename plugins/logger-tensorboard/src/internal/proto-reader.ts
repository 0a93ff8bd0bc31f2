// A minimal protobuf reader: splits a message into its fields (enough to read back what we write).

export interface ProtoField {
  readonly field: number;
  readonly wire: number;
  /** varint as bigint; fixed64/fixed32 as their raw little-endian bytes; length-delimited as bytes. */
  readonly value: bigint | Uint8Array;
}

export function readFields(buf: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new RangeError('truncated varint');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > buf.length) throw new RangeError('truncated field');
    return buf.subarray(pos, (pos += n));
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) out.push({ field, wire, value: take(8) });
    else if (wire === 2) out.push({ field, wire, value: take(Number(varint())) });
    else if (wire === 5) out.push({ field, wire, value: take(4) });
    else throw new RangeError(`unsupported wire type ${wire}`);
  }
  return out;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
export const asDouble = (b: Uint8Array): number => view(b).getFloat64(0, true);
export const asFloat = (b: Uint8Array): number => view(b).getFloat32(0, true);
export const asInt64 = (v: bigint): number => Number(BigInt.asIntN(64, v));
export const asString = (b: Uint8Array): string => new TextDecoder().decode(b);
export function asDoubles(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 8 <= b.length; i += 8) out.push(view(b).getFloat64(i, true));
  return out;
}
