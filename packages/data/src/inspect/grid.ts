import type { Image } from '../image/image.js';

const COLOURS: readonly (readonly [number, number, number])[] = [
  [1, 0.2, 0.2], [0.2, 1, 0.2], [0.2, 0.4, 1], [1, 1, 0.2], [1, 0.2, 1], [0.2, 1, 1], [1, 0.6, 0.2], [0.6, 0.2, 1],
];

/** HWC sample values → displayable RGB in [0, 1]: per-image min–max scaling, gray repeated to RGB. */
export function toDisplay(x: Float32Array, h: number, w: number, c: number): Image {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi - lo || 1;
  const out = new Float32Array(h * w * 3);
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < 3; k++) out[p * 3 + k] = (x[p * c + (c === 1 ? 0 : Math.min(k, c - 1))] - lo) / span;
  }
  return { data: out, width: w, height: h, channels: 3 };
}

/** Tints mask pixels (class ≥ 1, or foreground of a binary mask) with a colour per class, 45 % opacity. */
export function overlayMask(img: Image, mask: ArrayLike<number>, binary: boolean): Image {
  const out = img.data.slice();
  for (let p = 0; p < img.width * img.height; p++) {
    const k = binary ? (mask[p] > 0.5 ? 1 : 0) : mask[p];
    if (k <= 0) continue;
    const col = COLOURS[(k - 1) % COLOURS.length];
    for (let c = 0; c < 3; c++) out[p * 3 + c] = 0.55 * out[p * 3 + c] + 0.45 * col[c];
  }
  return { ...img, data: out };
}

/** Tiles same-size RGB images into rows of `columns` with a `gap`-pixel white border. */
export function tile(images: readonly Image[], columns: number, gap = 2): Image {
  const { width: w, height: h } = images[0];
  const cols = Math.min(columns, images.length);
  const rows = Math.ceil(images.length / cols);
  const W = cols * w + (cols + 1) * gap;
  const H = rows * h + (rows + 1) * gap;
  const out = new Float32Array(W * H * 3).fill(1);
  images.forEach((im, i) => {
    const ox = gap + (i % cols) * (w + gap);
    const oy = gap + Math.floor(i / cols) * (h + gap);
    for (let y = 0; y < h; y++) out.set(im.data.subarray(y * w * 3, (y + 1) * w * 3), ((oy + y) * W + ox) * 3);
  });
  return { data: out, width: W, height: H, channels: 3 };
}
