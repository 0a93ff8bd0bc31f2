import { KilnError } from '@kiln/core-trainer';
import sharp from 'sharp';
import { DataErrorCodes } from '../errors.js';
import type { Image } from './image.js';

/** How an image is brought to a target size: stretch (ignore aspect), letterbox (fit inside, pad with 0), crop (fill, centre crop). */
export type FitMode = 'stretch' | 'letterbox' | 'crop';

export interface ImageHeader {
  readonly width: number;
  readonly height: number;
  /** Channels in the file, alpha included. */
  readonly channels: number;
  readonly bitDepth: 8 | 16;
  readonly format: string;
}

export interface DecodeOptions {
  /** 1 = grayscale, 3 = RGB, 'keep' = as stored (gray stays 1, colour becomes 3). Alpha is dropped. Default 'keep'. */
  readonly channels?: 1 | 3 | 'keep';
  /** Resize while decoding (antialiased, in libvips). */
  readonly resize?: { readonly width: number; readonly height: number; readonly fit?: FitMode; readonly kernel?: 'linear' | 'nearest' };
  /** Name used in error messages when `input` is a buffer. */
  readonly name?: string;
}

const FIT = { stretch: 'fill', letterbox: 'contain', crop: 'cover' } as const;

function decodeError(name: string, cause: unknown): KilnError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new KilnError(DataErrorCodes.DECODE, `Cannot decode image '${name}': ${why}. Re-export it as PNG or JPEG, remove it, or set onBadSample: skip.`,
    { cause, details: { file: name } });
}

/**
 * Reads an image's size, channels and bit depth from its header without decoding the pixels.
 * Throws KILN_DATA_DECODE naming the file when it is not a readable image.
 * @example const { width, height } = await readImageHeader('img/a.png');
 */
export async function readImageHeader(input: string | Buffer, name = typeof input === 'string' ? input : 'buffer'): Promise<ImageHeader> {
  try {
    const m = await sharp(input).metadata();
    if (!m.width || !m.height) throw new Error('no width/height in header');
    return { width: m.width, height: m.height, channels: m.channels ?? 3, bitDepth: m.depth === 'ushort' ? 16 : 8, format: m.format ?? 'unknown' };
  } catch (e) {
    throw decodeError(name, e);
  }
}

/** Decodes to raw integer pixels (8- or 16-bit) with the requested channels, optionally resized. */
export async function decodeRaw(input: string | Buffer, options: DecodeOptions & { readonly channels: 1 | 3 | 'keep' }):
Promise<{ data: Uint8Array | Uint16Array; width: number; height: number; channels: 1 | 3; bitDepth: 8 | 16 }> {
  const name = options.name ?? (typeof input === 'string' ? input : 'buffer');
  try {
    let p = sharp(input, { failOn: 'warning' });
    const m = await p.metadata();
    const deep = m.depth === 'ushort';
    const gray = m.space === 'b-w' || m.space === 'grey16' || (m.channels ?? 3) <= 2;
    const ch = options.channels === 'keep' ? (gray ? 1 : 3) : options.channels;
    p = p.removeAlpha();
    const r = options.resize;
    if (r && (r.width !== m.width || r.height !== m.height)) {
      p = p.resize(r.width, r.height, { fit: FIT[r.fit ?? 'stretch'], kernel: r.kernel === 'nearest' ? 'nearest' : 'lanczos3', background: { r: 0, g: 0, b: 0, alpha: 1 } });
    }
    p = p.toColourspace(ch === 1 ? (deep ? 'grey16' : 'b-w') : (deep ? 'rgb16' : 'srgb'));
    const { data, info } = await p.raw({ depth: deep ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== ch) throw new Error(`expected ${ch} channels after conversion, got ${info.channels}`);
    const px = deep ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : new Uint8Array(data.buffer, data.byteOffset, data.length);
    return { data: px, width: info.width, height: info.height, channels: ch, bitDepth: deep ? 16 : 8 };
  } catch (e) {
    throw decodeError(name, e);
  }
}

/**
 * Decodes a PNG or JPEG (8- or 16-bit, gray or colour, alpha dropped) to an HWC float32 image in
 * [0, 1] (divided by 255 or 65535). Throws KILN_DATA_DECODE naming the file when it is corrupt.
 * @example const img = await decodeImage('a.jpg', { channels: 3, resize: { width: 224, height: 224, fit: 'letterbox' } });
 */
export async function decodeImage(input: string | Buffer, options: DecodeOptions = {}): Promise<Image & { readonly bitDepth: 8 | 16 }> {
  const raw = await decodeRaw(input, { ...options, channels: options.channels ?? 'keep' });
  const scale = 1 / (raw.bitDepth === 16 ? 65535 : 255);
  const data = new Float32Array(raw.data.length);
  for (let i = 0; i < data.length; i++) data[i] = raw.data[i] * scale;
  return { data, width: raw.width, height: raw.height, channels: raw.channels, bitDepth: raw.bitDepth };
}

/**
 * Encodes an HWC float image with values in [0, 1] (1 or 3 channels) as an 8-bit PNG.
 * @example await fs.writeFile('grid.png', await encodePng(img));
 */
export async function encodePng(image: Image): Promise<Buffer> {
  const px = Buffer.alloc(image.data.length);
  for (let i = 0; i < px.length; i++) px[i] = Math.round(Math.min(1, Math.max(0, image.data[i])) * 255);
  return sharp(px, { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 } }).png().toBuffer();
}
