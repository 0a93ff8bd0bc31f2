import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKET_LIMITS, buildHistogram } from './histogram.js';

describe('buildHistogram', () => {
  it("uses TensorFlow's default limits", () => {
    const L = DEFAULT_BUCKET_LIMITS;
    expect(L.length).toBe(1551); // 775 positive limits (774 of 1e-12·1.1^k < 1e20, then DBL_MAX), mirrored, and 0
    expect(L[0]).toBe(-Number.MAX_VALUE);
    expect(L[775]).toBe(0);
    expect(L[776]).toBe(1e-12);
    expect(L.at(-1)).toBe(Number.MAX_VALUE);
    expect(L.at(-2)!).toBeLessThan(1e20);
    for (let i = 1; i < L.length; i++) expect(L[i]!).toBeGreaterThan(L[i - 1]!);
  });

  it('counts [limit[i-1], limit[i]) and merges runs of empty buckets', () => {
    const h = buildHistogram([0, 1, 1, -1, Number.NaN, Number.POSITIVE_INFINITY]);
    expect(h).toMatchObject({ min: -1, max: 1, num: 4, sum: 1, sumSquares: 3 });
    expect(h.bucket.reduce((a, b) => a + b, 0)).toBe(4);
    const at = (v: number) => {
      const i = DEFAULT_BUCKET_LIMITS.findIndex((l) => l > v);
      return h.bucketLimit.indexOf(DEFAULT_BUCKET_LIMITS[i]!);
    };
    expect(h.bucket[at(0)]).toBe(1);
    expect(h.bucket[at(1)]).toBe(2);
    expect(h.bucket[at(-1)]).toBe(1);
    // non-empty buckets are never adjacent to an empty one that was not merged
    for (let i = 1; i < h.bucket.length; i++) expect(h.bucket[i] === 0 && h.bucket[i - 1] === 0).toBe(false);
    expect(h.bucketLimit.at(-1)).toBe(Number.MAX_VALUE);
  });

  it('gives one empty bucket for no finite values', () => {
    expect(buildHistogram([Number.NaN])).toEqual({ min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [Number.MAX_VALUE], bucket: [0] });
  });
});
