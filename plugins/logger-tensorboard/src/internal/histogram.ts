// TensorBoard-style histograms: TF's default bucket limits (±1e-12·1.1^k up to 1e20, 0, ±DBL_MAX)
// with runs of empty buckets collapsed, as TF's Histogram::EncodeToProto does.

const DBL_MAX = Number.MAX_VALUE;

/** The default limits, ascending: [-DBL_MAX, …, -1e-12, 0, 1e-12, …, DBL_MAX]. */
export const DEFAULT_BUCKET_LIMITS: readonly number[] = (() => {
  const pos: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
  pos.push(DBL_MAX);
  return [...pos.map((v) => -v).reverse(), 0, ...pos];
})();

/** Fields of a HistogramProto. */
export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

/** Index of the first limit greater than v (C++ upper_bound). */
function upperBound(limits: readonly number[], v: number): number {
  let lo = 0;
  let hi = limits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (limits[mid]! > v) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/**
 * Builds a histogram of the finite values (NaN and ±Infinity are left out). Bucket i holds values in
 * [limit[i-1], limit[i]); consecutive empty buckets are merged into one ending at the last limit.
 * With no finite values: min = max = 0, one empty bucket ending at DBL_MAX.
 */
export function buildHistogram(values: ArrayLike<number>): Histogram {
  const limits = DEFAULT_BUCKET_LIMITS;
  const counts = new Float64Array(limits.length);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    counts[Math.min(upperBound(limits, v), limits.length - 1)]!++;
    if (v < min) min = v;
    if (v > max) max = v;
    num++;
    sum += v;
    sumSquares += v * v;
  }
  const bucketLimit: number[] = [];
  const bucket: number[] = [];
  for (let i = 0; i < counts.length;) {
    let end = limits[i]!;
    let count = counts[i]!;
    i++;
    if (count <= 0) {
      while (i < counts.length && counts[i]! <= 0) {
        end = limits[i]!;
        count = counts[i]!;
        i++;
      }
    }
    bucketLimit.push(end);
    bucket.push(count);
  }
  if (num === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [DBL_MAX], bucket: [0] };
  return { min, max, num, sum, sumSquares, bucketLimit, bucket };
}
