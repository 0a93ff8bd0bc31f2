import type { Image } from '../image/image.js';

/** A 2-D affine map [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f (continuous pixel coordinates). */
export type Affine = readonly [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/** `outer ∘ inner`: applies `inner` first. */
export function compose(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [A, B, C, D, E, F] = inner;
  return [a * A + b * D, a * B + b * E, a * C + b * F + c, d * A + e * D, d * B + e * E, d * C + e * F + f];
}

export function invert(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

export function isIdentity(m: Affine): boolean {
  return m.every((v, i) => Math.abs(v - IDENTITY[i]) < 1e-12);
}

/**
 * Resamples `img` into an outW×outH image: output pixel centre q maps to input point `inv(q)`.
 * Bilinear for images, nearest for masks; points outside the input take `fill`.
 */
export function warpAffine(img: Image, inv: Affine, outW: number, outH: number, interp: 'bilinear' | 'nearest', fill = 0): Image {
  const { width: W, height: H, channels: C, data } = img;
  const out = new Float32Array(outW * outH * C);
  const [a, b, c, d, e, f] = inv;
  const at = (x: number, y: number, ch: number): number => (x < 0 || y < 0 || x >= W || y >= H ? fill : data[(y * W + x) * C + ch]);
  let o = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++, o += C) {
      const u = a * (x + 0.5) + b * (y + 0.5) + c;
      const v = d * (x + 0.5) + e * (y + 0.5) + f;
      if (interp === 'nearest') {
        const ix = Math.floor(u);
        const iy = Math.floor(v);
        for (let ch = 0; ch < C; ch++) out[o + ch] = at(ix, iy, ch);
        continue;
      }
      const fx = u - 0.5;
      const fy = v - 0.5;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const wx = fx - x0;
      const wy = fy - y0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        // Fast path: all four neighbours inside.
        const i00 = (y0 * W + x0) * C;
        const i10 = i00 + W * C;
        const w00 = (1 - wx) * (1 - wy), w01 = wx * (1 - wy), w10 = (1 - wx) * wy, w11 = wx * wy;
        for (let ch = 0; ch < C; ch++) {
          out[o + ch] = data[i00 + ch] * w00 + data[i00 + C + ch] * w01 + data[i10 + ch] * w10 + data[i10 + C + ch] * w11;
        }
        continue;
      }
      for (let ch = 0; ch < C; ch++) {
        const top = at(x0, y0, ch) * (1 - wx) + at(x0 + 1, y0, ch) * wx;
        const bot = at(x0, y0 + 1, ch) * (1 - wx) + at(x0 + 1, y0 + 1, ch) * wx;
        out[o + ch] = top * (1 - wy) + bot * wy;
      }
    }
  }
  return { data: out, width: outW, height: outH, channels: C };
}
