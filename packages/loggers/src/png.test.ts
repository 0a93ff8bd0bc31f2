import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng } from './png.js';

function chunks(png: Buffer): { type: string; data: Buffer; crcOk: boolean }[] {
  const out = [];
  for (let pos = 8; pos < png.length;) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    out.push({ type, data, crcOk: png.readUInt32BE(pos + 8 + len) === crc32(png.subarray(pos + 4, pos + 8 + len)) });
    pos += 12 + len;
  }
  return out;
}

describe('encodePng', () => {
  it.each([[1, 0], [3, 2], [4, 6]] as const)('encodes %i-channel pixels losslessly (color type %i)', (channels, colorType) => {
    const w = 5;
    const h = 3;
    const px = Uint8Array.from({ length: w * h * channels }, (_, i) => (i * 53) % 256);
    const png = Buffer.from(encodePng(w, h, channels, px));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const cs = chunks(png);
    expect(cs.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(cs.every((c) => c.crcOk)).toBe(true);
    const ihdr = cs[0]!.data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]]).toEqual([w, h, 8, colorType, 0, 0, 0]);
    const raw = inflateSync(cs[1]!.data);
    const rows = Array.from({ length: h }, (_, y) => raw.subarray(y * (w * channels + 1), (y + 1) * (w * channels + 1)));
    expect(rows.every((r) => r[0] === 0)).toBe(true);
    expect(Buffer.concat(rows.map((r) => r.subarray(1)))).toEqual(Buffer.from(px));
  });

  it('writes the exact IHDR and filter-0 rows of a known 2×2 RGB image', () => {
    const png = Buffer.from(encodePng(2, 2, 3, new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9])));
    const cs = chunks(png);
    expect([...cs[0]!.data]).toEqual([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
    expect([...inflateSync(cs[1]!.data)]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 9, 9, 9]);
    expect(cs[2]!.data.length).toBe(0);
  });

  it('rejects pixel data of the wrong size', () => {
    expect(() => encodePng(2, 2, 3, new Uint8Array(11))).toThrow(/12 bytes, got 11/);
    expect(() => encodePng(2, 2, 3, new Uint8Array(11))).toThrow(RangeError);
  });
});
