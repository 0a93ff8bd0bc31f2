import { type Dataset, KilnError, Rng } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';
import { requireOption } from '../internal/check.js';
import { SubsetDataset } from '../subset.js';

/** Train/validation index lists over one dataset. */
export interface SplitIndices {
  readonly train: number[];
  readonly val: number[];
}

/**
 * Shuffles 0…n−1 with `new Rng(seed)` and puts round(n·valFraction) indices in `val`, the rest
 * in `train` (both sorted). Throws KILN_DATA_EMPTY when either side would be empty.
 * @example randomSplitIndices(100, 0.2, 7).val.length; // 20
 */
export function randomSplitIndices(n: number, valFraction: number, seed: number): SplitIndices {
  requireOption(valFraction > 0 && valFraction < 1, 'valFraction', `must be in (0, 1) (got ${valFraction}).`);
  const order = new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const nVal = Math.round(n * valFraction);
  if (nVal === 0 || nVal === n) {
    throw new KilnError(DataErrorCodes.EMPTY, `A ${valFraction} validation split of ${n} samples leaves one side empty. Add samples or change valFraction.`,
      { details: { size: n, valFraction } });
  }
  const asc = (a: number, b: number): number => a - b;
  return { val: order.slice(0, nVal).sort(asc), train: order.slice(nVal).sort(asc) };
}

/**
 * Splits a dataset at random into train and validation views (see `randomSplitIndices`).
 * @example const { train, val } = randomSplit(ds, 0.2, 42);
 */
export function randomSplit(dataset: Dataset, valFraction: number, seed: number): { train: SubsetDataset; val: SubsetDataset } {
  const s = randomSplitIndices(dataset.size, valFraction, seed);
  return { train: new SubsetDataset(dataset, s.train), val: new SubsetDataset(dataset, s.val) };
}
