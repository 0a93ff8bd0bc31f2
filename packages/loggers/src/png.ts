import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOR_TYPE = { 1: 0, 3: 2, 4: 6 } as const; // gray, RGB, RGBA

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length); // IEEE CRC-32 of type + data
  return out;
}

/**
 * Encodes 8-bit HWC pixels (1 = gray, 3 = RGB, 4 = RGBA channels) as a PNG: IHDR, one zlib IDAT
 * with filter type 0 (None) on every row, IEND. Lossless; the same pixels always give the same
 * bytes. Throws a RangeError when `data` is not `width × height × channels` bytes.
 * @example const png = encodePng(2, 1, 1, new Uint8Array([0, 255])); // a 2×1 gray PNG, black then white
 */
export function encodePng(width: number, height: number, channels: 1 | 3 | 4, data: Uint8Array): Uint8Array {
  if (data.length !== width * height * channels) {
    throw new RangeError(`PNG: expected ${width}×${height}×${channels} = ${width * height * channels} bytes, got ${data.length}`);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE[channels];
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}
