import { requireOption } from '../internal/check.js';
import type { FitMode } from './decode.js';
import type { Image } from './image.js';

export type Interpolation = 'bilinear' | 'nearest';

/**
 * Resizes with half-pixel centres: bilinear matches PyTorch `interpolate(mode='bilinear',
 * align_corners=False, antialias=False)`, nearest matches `mode='nearest-exact'` (use it for masks).
 * @example const small = resize(img, 32, 32);
 */
export function resize(img: Image, width: number, height: number, interp: Interpolation = 'bilinear'): Image {
  requireOption(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0, 'resize', `size must be positive integers (got ${width}×${height}).`);
  const { width: W, height: H, channels: C, data } = img;
  const out = new Float32Array(width * height * C);
  const sx = W / width;
  const sy = H / height;
  for (let y = 0; y < height; y++) {
    if (interp === 'nearest') {
      const iy = Math.min(H - 1, Math.floor((y + 0.5) * sy));
      for (let x = 0; x < width; x++) {
        const ix = Math.min(W - 1, Math.floor((x + 0.5) * sx));
        for (let c = 0; c < C; c++) out[(y * width + x) * C + c] = data[(iy * W + ix) * C + c];
      }
      continue;
    }
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(H - 1, Math.floor(fy));
    const y1 = Math.min(H - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(W - 1, Math.floor(fx));
      const x1 = Math.min(W - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < C; c++) {
        const a = data[(y0 * W + x0) * C + c] * (1 - wx) + data[(y0 * W + x1) * C + c] * wx;
        const b = data[(y1 * W + x0) * C + c] * (1 - wx) + data[(y1 * W + x1) * C + c] * wx;
        out[(y * width + x) * C + c] = a * (1 - wy) + b * wy;
      }
    }
  }
  return { data: out, width, height, channels: C };
}

/**
 * Cuts the window (x, y, width, height); parts outside the image are filled with `fill`.
 * @example const patch = crop(img, 10, 10, 64, 64);
 */
export function crop(img: Image, x: number, y: number, width: number, height: number, fill = 0): Image {
  const C = img.channels;
  const out = new Float32Array(width * height * C).fill(fill);
  for (let oy = 0; oy < height; oy++) {
    const sy = oy + y;
    if (sy < 0 || sy >= img.height) continue;
    for (let ox = 0; ox < width; ox++) {
      const sx = ox + x;
      if (sx < 0 || sx >= img.width) continue;
      for (let c = 0; c < C; c++) out[(oy * width + ox) * C + c] = img.data[(sy * img.width + sx) * C + c];
    }
  }
  return { data: out, width, height, channels: C };
}

/** Centre window of the given size (padding with `fill` where the image is smaller). @example centerCrop(img, 224, 224) */
export function centerCrop(img: Image, width: number, height: number, fill = 0): Image {
  return crop(img, Math.floor((img.width - width) / 2), Math.floor((img.height - height) / 2), width, height, fill);
}

/** Adds borders of `fill`. @example pad(img, { top: 2, bottom: 2 }) */
export function pad(img: Image, p: { top?: number; right?: number; bottom?: number; left?: number }, fill = 0): Image {
  const { top = 0, right = 0, bottom = 0, left = 0 } = p;
  return crop(img, -left, -top, img.width + left + right, img.height + top + bottom, fill);
}

/**
 * Scales to fit inside width×height keeping the aspect ratio, then pads the rest with `fill`, centred.
 * @example letterbox(img, 224, 224)
 */
export function letterbox(img: Image, width: number, height: number, interp: Interpolation = 'bilinear', fill = 0): Image {
  const s = Math.min(width / img.width, height / img.height);
  const w = Math.max(1, Math.round(img.width * s));
  const h = Math.max(1, Math.round(img.height * s));
  return centerCrop(resize(img, w, h, interp), width, height, fill);
}

/**
 * Brings an image to width×height by `mode` (see FitMode).
 * @example fit(mask, 64, 64, 'crop', 'nearest')
 */
export function fit(img: Image, width: number, height: number, mode: FitMode = 'stretch', interp: Interpolation = 'bilinear'): Image {
  if (img.width === width && img.height === height) return img;
  if (mode === 'stretch') return resize(img, width, height, interp);
  if (mode === 'letterbox') return letterbox(img, width, height, interp);
  const s = Math.max(width / img.width, height / img.height);
  return centerCrop(resize(img, Math.max(width, Math.round(img.width * s)), Math.max(height, Math.round(img.height * s)), interp), width, height);
}

/** ImageNet channel statistics (RGB, for images in [0, 1]). */
export const IMAGENET_STATS = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;

/**
 * (x − mean[c]) / std[c] per channel; one-value arrays apply to every channel.
 * @example normalize(img, IMAGENET_STATS.mean, IMAGENET_STATS.std)
 */
export function normalize(img: Image, mean: readonly number[], std: readonly number[]): Image {
  const C = img.channels;
  requireOption((mean.length === C || mean.length === 1) && (std.length === C || std.length === 1) && std.every((s) => s > 0), 'normalize',
    `mean/std need 1 or ${C} values and std > 0 (got mean ${mean.length}, std ${std.length}).`);
  const out = new Float32Array(img.data.length);
  for (let c = 0; c < C; c++) {
    const m = mean[mean.length === 1 ? 0 : c];
    const s = 1 / std[std.length === 1 ? 0 : c];
    for (let i = c; i < out.length; i += C) out[i] = (img.data[i] - m) * s;
  }
  return { ...img, data: out };
}

/**
 * Converts between gray (1) and RGB (3): gray → RGB repeats the value; RGB → gray uses ITU-R 601
 * luma (0.299 R + 0.587 G + 0.114 B, as PIL's 'L').
 * @example toChannels(gray, 3)
 */
export function toChannels(img: Image, channels: 1 | 3): Image {
  if (img.channels === channels) return img;
  const n = img.width * img.height;
  const out = new Float32Array(n * channels);
  for (let i = 0; i < n; i++) {
    if (channels === 3) out.fill(img.data[i * img.channels], i * 3, i * 3 + 3);
    else out[i] = 0.299 * img.data[i * 3] + 0.587 * img.data[i * 3 + 1] + 0.114 * img.data[i * 3 + 2];
  }
  return { data: out, width: img.width, height: img.height, channels };
}
