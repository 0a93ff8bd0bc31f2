import { Rng } from '@kiln/core-trainer';
import { describe, expect, it } from 'vitest';
import type { Image } from '../image/image.js';
import { augment, AUGMENT_PRESETS, augmentRng, resolveAugment } from './augment.js';

/** A 32×32 RGB image with a bright off-centre square and its binary mask. */
function scene(): { image: Image; mask: Image } {
  const s = 32;
  const mask = new Float32Array(s * s);
  const data = new Float32Array(s * s * 3);
  for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) {
    const on = x >= 6 && x < 18 && y >= 4 && y < 14 ? 1 : 0;
    mask[y * s + x] = on;
    data.fill(on ? 0.9 : 0.1, (y * s + x) * 3, (y * s + x) * 3 + 3);
  }
  return { image: { data, width: s, height: s, channels: 3 }, mask: { data: mask, width: s, height: s, channels: 1 } };
}

describe('augment', () => {
  it("'none' returns the input; a draw is reproducible from (seed, epoch, index) and differs across epochs", () => {
    const { image, mask } = scene();
    expect(augment(image, mask, resolveAugment('none'), new Rng(1)).image).toBe(image);
    const cfg = resolveAugment('heavy');
    const a = augment(image, mask, cfg, augmentRng(7, 2, 5));
    const b = augment(image, mask, cfg, augmentRng(7, 2, 5));
    const c = augment(image, mask, cfg, augmentRng(7, 3, 5));
    expect(a.image.data).toEqual(b.image.data);
    expect(a.mask!.data).toEqual(b.mask!.data);
    expect(a.image.data).not.toEqual(c.image.data);
  });

  it('a horizontal flip mirrors image and mask exactly', () => {
    const { image, mask } = scene();
    const f = augment(image, mask, { hflip: 1 }, new Rng(0));
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) {
      expect(f.mask!.data[y * 32 + x]).toBe(mask.data[y * 32 + (31 - x)]);
      expect(f.image.data[(y * 32 + x) * 3]).toBeCloseTo(image.data[(y * 32 + 31 - x) * 3], 6);
    }
  });

  it('masks follow the geometry with nearest sampling and get no photometric change', () => {
    const { image, mask } = scene();
    const geo = { rotate: 40, scale: [0.8, 1.2] as [number, number], translate: 0.1, shear: 8, hflip: 0.5, vflip: 0.5 };
    for (let i = 0; i < 10; i++) {
      const out = augment(image, mask, geo, augmentRng(3, 0, i));
      expect(out.mask!.data.every((v) => v === 0 || v === 1)).toBe(true);
      let agree = 0;
      out.mask!.data.forEach((m, p) => { if ((out.image.data[p * 3] > 0.5 ? 1 : 0) === m) agree++; });
      expect(agree / out.mask!.data.length).toBeGreaterThan(0.97);
    }
    const photo = augment(image, mask, { brightness: 0.3, contrast: 0.3, gamma: [0.7, 1.4], noise: { std: 0.1, p: 1 }, blur: { sigma: [1, 1], p: 1 } }, new Rng(4));
    expect(photo.mask!.data).toEqual(mask.data);
    expect(photo.image.data).not.toEqual(image.data);
    expect(photo.image.data.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('every preset validates and keeps values in [0, 1]; bad configs are rejected', () => {
    const { image } = scene();
    for (const name of Object.keys(AUGMENT_PRESETS) as (keyof typeof AUGMENT_PRESETS)[]) {
      const out = augment(image, undefined, resolveAugment(name), augmentRng(1, 0, 0));
      expect(out.image.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
    expect(() => resolveAugment({ hflip: 2 })).toThrow();
    expect(() => resolveAugment({ scale: [1.2, 0.8] })).toThrow(/low ≤ high/);
  });
});
