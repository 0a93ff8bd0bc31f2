import type { Rng } from '@kiln/core-trainer';

/** Shape kinds of the synthetic set, in class-index order. */
export const SHAPE_KINDS = ['circle', 'square', 'triangle', 'cross', 'ring'] as const;
export type ShapeKind = (typeof SHAPE_KINDS)[number];

export interface PlacedShape {
  readonly kind: number;
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
  readonly angle: number;
  readonly color: readonly [number, number, number];
}

/** Random placement of one shape of `kind` fully inside an s×s image, radius in [minR, maxR]·s. */
export function placeShape(rng: Rng, kind: number, s: number, minR: number, maxR: number): PlacedShape {
  const r = s * (minR + (maxR - minR) * rng.float());
  const cx = r + (s - 2 * r) * rng.float();
  const cy = r + (s - 2 * r) * rng.float();
  const angle = 2 * Math.PI * rng.float();
  const color = [0.55 + 0.4 * rng.float(), 0.55 + 0.4 * rng.float(), 0.55 + 0.4 * rng.float()] as const;
  return { kind, cx, cy, r, angle, color };
}

/** True when pixel centre (px, py) lies inside `sh`. */
export function inside(sh: PlacedShape, px: number, py: number): boolean {
  const dx = px + 0.5 - sh.cx;
  const dy = py + 0.5 - sh.cy;
  const c = Math.cos(sh.angle);
  const sn = Math.sin(sh.angle);
  const u = dx * c + dy * sn;
  const v = -dx * sn + dy * c;
  const r = sh.r;
  const d2 = u * u + v * v;
  switch (SHAPE_KINDS[sh.kind]) {
    case 'circle': return d2 <= r * r;
    case 'square': return Math.abs(u) <= 0.8 * r && Math.abs(v) <= 0.8 * r;
    case 'triangle': {
      // Equilateral triangle of circumradius r: inside all three edges at distance r/2 from the centre.
      for (let k = 0; k < 3; k++) {
        const t = Math.PI / 2 + (2 * Math.PI * k) / 3;
        if (u * Math.cos(t) + v * Math.sin(t) > r / 2) return false;
      }
      return true;
    }
    case 'cross': return (Math.abs(u) <= r && Math.abs(v) <= 0.3 * r) || (Math.abs(v) <= r && Math.abs(u) <= 0.3 * r);
    case 'ring': return d2 <= r * r && d2 >= 0.3 * r * r;
    default: return false;
  }
}

/**
 * Draws a noisy RGB image (HWC float32 in [0, 1]): a dark tinted gradient background, then
 * `shapes` in order (later ones on top). `label(i, k)` is called for each pixel i covered by shape k.
 */
export function drawImage(rng: Rng, s: number, shapes: readonly PlacedShape[], noise: number, label: (i: number, k: number) => void): Float32Array {
  const x = new Float32Array(s * s * 3);
  const bg = [0.1 + 0.3 * rng.float(), 0.1 + 0.3 * rng.float(), 0.1 + 0.3 * rng.float()];
  const gx = (rng.float() - 0.5) * 0.2;
  const gy = (rng.float() - 0.5) * 0.2;
  for (let py = 0; py < s; py++) {
    for (let px = 0; px < s; px++) {
      const i = py * s + px;
      let color: readonly number[] = bg.map((b) => b + gx * (px / s - 0.5) + gy * (py / s - 0.5));
      shapes.forEach((sh, k) => {
        if (inside(sh, px, py)) {
          color = sh.color;
          label(i, k);
        }
      });
      for (let ch = 0; ch < 3; ch++) x[i * 3 + ch] = Math.min(1, Math.max(0, color[ch] + noise * rng.normal()));
    }
  }
  return x;
}
