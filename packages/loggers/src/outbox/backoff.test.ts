import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { baseMs: 100, maxMs: 5000 };
  it('draws from [0, min(maxMs, baseMs·2^attempt)) with full jitter', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(0);
    expect(backoffDelay(0, policy, () => 0.5)).toBe(50);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400);
    expect(backoffDelay(3, policy, () => 0.999999)).toBe(799);
    expect(backoffDelay(6, policy, () => 0.5)).toBe(2500); // ceiling 6400 capped at 5000
    expect(backoffDelay(10_000, policy, () => 0.999999)).toBeLessThan(5000); // no overflow
    expect(backoffDelay(2, policy, () => 1)).toBeLessThan(400); // rng of exactly 1 stays below the ceiling
  });

  it('stays within bounds for random draws, and grows on average', () => {
    let seed = 42;
    const rng = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const means: number[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const draws = Array.from({ length: 2000 }, () => backoffDelay(attempt, policy, rng));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draws)).toBeLessThan(Math.min(5000, 100 * 2 ** attempt));
      means.push(draws.reduce((a, b) => a + b, 0) / draws.length);
    }
    // mean of U[0, c) is c/2: 50, 100, 200, … capped at 2500 (±10%)
    means.forEach((m, a) => expect(Math.abs(m - Math.min(5000, 100 * 2 ** a) / 2) / (Math.min(5000, 100 * 2 ** a) / 2)).toBeLessThan(0.1));
  });
});
