// Test helpers: small fixture images written with sharp into temp dirs.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-data-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes raw pixels (row-major, `channels` per pixel, 8- or 16-bit) as PNG or JPEG. */
export async function writeImage(file: string, width: number, height: number, channels: 1 | 2 | 3 | 4,
  pixel: (x: number, y: number, c: number) => number, opts: { bits?: 8 | 16; format?: 'png' | 'jpeg'; palette?: boolean } = {}): Promise<string> {
  const bits = opts.bits ?? 8;
  const data = bits === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = pixel(x, y, c);
  let img = sharp(data, { raw: { width, height, channels } });
  img = img.toColourspace(channels <= 2 ? (bits === 16 ? 'grey16' : 'b-w') : bits === 16 ? 'rgb16' : 'srgb');
  const buf = opts.format === 'jpeg' ? await img.jpeg({ quality: 95 }).toBuffer()
    : await img.png(opts.palette ? { palette: true, dither: 0 } : {}).toBuffer();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, buf);
  return file;
}

/** A w×h RGB image of a solid colour. */
export function solid(file: string, w: number, h: number, rgb: readonly [number, number, number], format: 'png' | 'jpeg' = 'png'): Promise<string> {
  return writeImage(file, w, h, 3, (_x, _y, c) => rgb[c], { format });
}

export async function writeText(file: string, text: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}
