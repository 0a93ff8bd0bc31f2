import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeImage } from '../test-utils/fixtures.js';
import { decodeImage, encodePng, readImageHeader } from './decode.js';
import { decodeMask } from './mask.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

describe('decodeImage', () => {
  it('decodes 8-bit gray and RGB PNG exactly to [0, 1], dropping alpha', async () => {
    const g = await decodeImage(await writeImage(join(dir, 'g.png'), 3, 2, 1, (x, y) => x * 50 + y * 100));
    expect([g.width, g.height, g.channels, g.bitDepth]).toEqual([3, 2, 1, 8]);
    expect(Array.from(g.data, (v) => Math.round(v * 255))).toEqual([0, 50, 100, 100, 150, 200]);
    const rgba = await decodeImage(await writeImage(join(dir, 'a.png'), 2, 1, 4, (x, _y, c) => [10, 20, 30, 128][c] + x));
    expect(rgba.channels).toBe(3);
    expect(Array.from(rgba.data, (v) => Math.round(v * 255))).toEqual([10, 20, 30, 11, 21, 31]);
  });

  it('keeps 16-bit precision (divides by 65535) for gray and RGB', async () => {
    const vals = [0, 1, 1000, 32768, 65534, 65535];
    const g = await decodeImage(await writeImage(join(dir, 'g16.png'), 3, 2, 1, (x, y) => vals[y * 3 + x], { bits: 16 }));
    expect((await readImageHeader(join(dir, 'g16.png'))).bitDepth).toBe(16);
    expect(g.bitDepth).toBe(16);
    expect(Array.from(g.data, (v) => Math.round(v * 65535))).toEqual(vals);
    const rgb = await decodeImage(await writeImage(join(dir, 'c16.png'), 2, 1, 3, (x, _y, c) => 300 * (c + 1) + x * 60000, { bits: 16 }));
    expect(Array.from(rgb.data, (v) => Math.round(v * 65535))).toEqual([300, 600, 900, 60300, 60600, 60900]);
  });

  it('converts channels (gray → RGB repeats, RGB → gray is luma) and decodes JPEG', async () => {
    const g3 = await decodeImage(join(dir, 'g.png'), { channels: 3 });
    expect(g3.channels).toBe(3);
    expect(Array.from(g3.data.slice(3, 6), (v) => Math.round(v * 255))).toEqual([50, 50, 50]);
    const jpg = await writeImage(join(dir, 'c.jpg'), 16, 16, 3, (_x, _y, c) => [200, 100, 50][c], { format: 'jpeg' });
    const j = await decodeImage(jpg);
    expect(j.channels).toBe(3);
    expect(Math.abs(j.data[0] * 255 - 200)).toBeLessThan(4);
    const gray = await decodeImage(jpg, { channels: 1 });
    expect(Math.abs(gray.data[0] * 255 - (0.299 * 200 + 0.587 * 100 + 0.114 * 50))).toBeLessThan(4);
  });

  it('resizes while decoding: stretch, letterbox (padded with 0) and crop', async () => {
    const wide = await writeImage(join(dir, 'wide.png'), 40, 20, 1, () => 255);
    const lb = await decodeImage(wide, { resize: { width: 20, height: 20, fit: 'letterbox' } });
    expect([lb.width, lb.height]).toEqual([20, 20]);
    expect(lb.data[0]).toBe(0); // top-left is padding
    expect(lb.data[10 * 20 + 10]).toBeCloseTo(1, 5);
    const cr = await decodeImage(wide, { resize: { width: 10, height: 10, fit: 'crop' } });
    expect(cr.data.every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
  });

  it('names the file in KILN_DATA_DECODE for corrupt or truncated images', async () => {
    const junk = join(dir, 'junk.png');
    await writeFile(junk, 'not an image');
    await expect(decodeImage(junk)).rejects.toMatchObject({ code: 'KILN_DATA_DECODE', message: expect.stringContaining(junk) });
    await expect(readImageHeader(junk)).rejects.toMatchObject({ code: 'KILN_DATA_DECODE' });
    const { readFile } = await import('node:fs/promises');
    const whole = await readFile(join(dir, 'c.jpg'));
    const cut = join(dir, 'cut.jpg');
    await writeFile(cut, whole.subarray(0, whole.length - 40));
    await expect(decodeImage(cut)).rejects.toMatchObject({ code: 'KILN_DATA_DECODE', message: expect.stringContaining('cut.jpg') });
  });

  it('encodePng round-trips an 8-bit image', async () => {
    const img = { data: Float32Array.from([0, 0.5, 1, 0.2, 0.4, 0.6]), width: 2, height: 1, channels: 3 };
    const back = await decodeImage(await encodePng(img));
    expect(Array.from(back.data, (v) => Math.round(v * 255))).toEqual([0, 128, 255, 51, 102, 153]);
  });
});

describe('decodeMask', () => {
  it('reads binary masks stored as 0/255 or 0/1, index masks and palette masks', async () => {
    const m255 = await decodeMask(await writeImage(join(dir, 'm255.png'), 3, 1, 1, (x) => [0, 255, 200][x]), { mode: 'binary', numClasses: 1 });
    expect(Array.from(m255.data)).toEqual([0, 1, 1]);
    const m01 = await decodeMask(await writeImage(join(dir, 'm01.png'), 3, 1, 1, (x) => [0, 1, 0][x]), { mode: 'binary', numClasses: 1 });
    expect(Array.from(m01.data)).toEqual([0, 1, 0]);
    const idx = await decodeMask(await writeImage(join(dir, 'idx.png'), 4, 1, 1, (x) => x), { mode: 'index', numClasses: 4 });
    expect(Array.from(idx.data)).toEqual([0, 1, 2, 3]);
    const palette = [[0, 0, 0], [255, 0, 0], [0, 255, 0]] as const;
    const pal = await writeImage(join(dir, 'pal.png'), 3, 1, 3, (x, _y, c) => palette[[2, 0, 1][x]][c], { palette: true });
    expect(Array.from((await decodeMask(pal, { mode: 'palette', numClasses: 3, palette })).data)).toEqual([2, 0, 1]);
  });

  it('rejects an index ≥ numClasses or an unknown colour with KILN_DATA_MASK_VALUE naming the file', async () => {
    await expect(decodeMask(join(dir, 'idx.png'), { mode: 'index', numClasses: 3 })).rejects.toMatchObject({ code: 'KILN_DATA_MASK_VALUE', message: expect.stringMatching(/idx\.png.*index 3/) });
    await expect(decodeMask(join(dir, 'pal.png'), { mode: 'palette', numClasses: 2, palette: [[0, 0, 0], [255, 0, 0]] }))
      .rejects.toMatchObject({ code: 'KILN_DATA_MASK_VALUE', message: expect.stringContaining('rgb(0, 255, 0)') });
  });
});
