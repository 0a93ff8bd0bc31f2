import { Rng } from '@kiln/core-trainer';
import { describe, expect, it } from 'vitest';
import type { Image } from '../image/image.js';
import { addGaussianNoise, adjustBrightness, adjustColour, adjustContrast, adjustGamma, gaussianBlur } from './photometric.js';

const rnd = (n: number, seed: number): Image => {
  const r = new Rng(seed);
  return { data: Float32Array.from({ length: n * n * 3 }, () => r.float()), width: n, height: n, channels: 3 };
};

describe('photometric', () => {
  it('the fused colour pass equals brightness, then contrast, then gamma', () => {
    const img = rnd(9, 1);
    const seq = adjustGamma(adjustContrast(adjustBrightness(img, 0.1), 1.3), 0.8);
    const fused = adjustColour(img, 0.1, 1.3, 0.8);
    fused.data.forEach((v, i) => expect(v).toBeCloseTo(seq.data[i], 5));
  });

  it('noise has the requested spread; blur keeps a constant image and smooths an impulse symmetrically', () => {
    const flat: Image = { data: new Float32Array(64 * 64).fill(0.5), width: 64, height: 64, channels: 1 };
    const noisy = addGaussianNoise(flat, 0.1, new Rng(2));
    const sd = Math.sqrt(noisy.data.reduce((a, v) => a + (v - 0.5) ** 2, 0) / noisy.data.length);
    expect(Math.abs(sd - 0.1)).toBeLessThan(0.005);
    gaussianBlur(flat, 1.5).data.forEach((v) => expect(v).toBeCloseTo(0.5, 6));
    const imp: Image = { data: new Float32Array(49), width: 7, height: 7, channels: 1 };
    imp.data[24] = 1;
    const b = gaussianBlur(imp, 1).data;
    expect(b.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    expect(b[23]).toBeCloseTo(b[25], 7);
    expect(b[17]).toBeCloseTo(b[31], 7);
    expect(b[24]).toBeGreaterThan(b[23]);
  });
});
