import type { Rng } from '@kiln/core-trainer';
import type { Image } from '../image/image.js';

/** Adds `delta` to every value. */
export function adjustBrightness(img: Image, delta: number): Image {
  return { ...img, data: img.data.map((v) => v + delta) };
}

/** Scales the distance to the image mean by `factor`. */
export function adjustContrast(img: Image, factor: number): Image {
  let mean = 0;
  for (const v of img.data) mean += v;
  mean /= img.data.length;
  return { ...img, data: img.data.map((v) => (v - mean) * factor + mean) };
}

/** v^gamma for values clamped to [0, 1]. */
export function adjustGamma(img: Image, gamma: number): Image {
  return { ...img, data: img.data.map((v) => Math.pow(Math.min(1, Math.max(0, v)), gamma)) };
}

/** Adds N(0, std²) noise drawn from `rng`. */
export function addGaussianNoise(img: Image, std: number, rng: Rng): Image {
  return { ...img, data: img.data.map((v) => v + std * rng.normal()) };
}

/** Separable Gaussian blur with standard deviation `sigma` pixels (edges clamped). */
export function gaussianBlur(img: Image, sigma: number): Image {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  const kernel = k.map((v) => v / sum);
  const { width: W, height: H, channels: C } = img;
  const pass = (src: Float32Array, horizontal: boolean): Float32Array => {
    const out = new Float32Array(src.length);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        for (let c = 0; c < C; c++) {
          let acc = 0;
          for (let i = -r; i <= r; i++) {
            const sx = horizontal ? Math.min(W - 1, Math.max(0, x + i)) : x;
            const sy = horizontal ? y : Math.min(H - 1, Math.max(0, y + i));
            acc += kernel[i + r] * src[(sy * W + sx) * C + c];
          }
          out[(y * W + x) * C + c] = acc;
        }
      }
    }
    return out;
  };
  return { ...img, data: pass(pass(img.data, true), false) };
}

/** Clamps every value to [0, 1] in place. */
export function clamp01(img: Image): Image {
  const d = img.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] < 0 ? 0 : d[i] > 1 ? 1 : d[i];
  return img;
}
