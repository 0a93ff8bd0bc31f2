// Beta(a, a) draws checked with Kolmogorov–Smirnov against closed-form CDFs.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { sampleBeta } from './beta.js';

describe('sampleBeta', () => {
  // Kolmogorov–Smirnov against closed-form CDFs of Beta(a, a); 1.63/√n is the 1% critical value. Seeded: never flaky.
  const cdfs: [string, number, (x: number) => number][] = [
    ['0.5 (arcsine)', 0.5, (x) => (2 / Math.PI) * Math.asin(Math.sqrt(x))], ['1 (uniform)', 1, (x) => x], ['2', 2, (x) => 3 * x * x - 2 * x * x * x],
  ];
  it.each(cdfs)('Beta(α, α) with α = %s follows the exact CDF (KS test, n = 4000)', (_name, a, cdf) => {
    const rng = new Rng(11);
    const xs = Array.from({ length: 4000 }, () => sampleBeta(rng, a, a)).sort((p, q) => p - q);
    const d = Math.max(...xs.map((x, i) => Math.max((i + 1) / xs.length - cdf(x), cdf(x) - i / xs.length)));
    expect(d).toBeLessThan(1.63 / Math.sqrt(xs.length));
  });

  it('small alpha stays finite with the right mean and variance (1/(4(2α+1)))', () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 20000 }, () => sampleBeta(rng, 0.1, 0.1));
    expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.015);
    expect(Math.abs(variance - 1 / (4 * 1.2))).toBeLessThan(0.01);
  });
});
