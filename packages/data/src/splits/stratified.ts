import { KilnError, Rng } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';
import { requireOption } from '../internal/check.js';
import type { SplitIndices } from './random-split.js';

const asc = (a: number, b: number): number => a - b;

/** Indices per label value, each list shuffled by `rng` (labels visited in ascending order). */
function byClass(labels: readonly number[], rng: Rng): number[][] {
  const groups = new Map<number, number[]>();
  labels.forEach((l, i) => groups.set(l, [...(groups.get(l) ?? []), i]));
  return [...groups.keys()].sort(asc).map((k) => rng.shuffle(groups.get(k)!));
}

/**
 * How many to take from each class so the total is round(n·fraction) and each class gets its
 * share (largest remainder; ties by class order).
 */
function allocate(sizes: readonly number[], fraction: number): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  const total = Math.round(n * fraction);
  const exact = sizes.map((s) => s * fraction);
  const take = exact.map(Math.floor);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  let left = total - take.reduce((a, b) => a + b, 0);
  for (const [, i] of order) {
    if (left <= 0) break;
    if (take[i] < sizes[i]) { take[i]++; left--; }
  }
  return take;
}

/**
 * A validation split that keeps each class's share: round(n·valFraction) samples in `val`, spread
 * over classes in proportion to their counts. Seeded; both lists sorted.
 * @example stratifiedSplitIndices([0, 0, 0, 0, 1, 1, 1, 1], 0.5, 1).val.length; // 4, two of each class
 */
export function stratifiedSplitIndices(labels: readonly number[], valFraction: number, seed: number): SplitIndices {
  requireOption(valFraction > 0 && valFraction < 1, 'valFraction', `must be in (0, 1) (got ${valFraction}).`);
  const classes = byClass(labels, new Rng(seed));
  const take = allocate(classes.map((c) => c.length), valFraction);
  const val = classes.flatMap((c, k) => c.slice(0, take[k])).sort(asc);
  const inVal = new Set(val);
  const train = labels.map((_, i) => i).filter((i) => !inVal.has(i));
  if (val.length === 0 || train.length === 0) {
    throw new KilnError(DataErrorCodes.EMPTY, `A ${valFraction} validation split of ${labels.length} samples leaves one side empty. Add samples or change valFraction.`,
      { details: { size: labels.length, valFraction } });
  }
  return { train, val };
}

/**
 * A class-stratified subsample of `fraction` of the indices (at least one per non-empty class), sorted.
 * @example stratifiedSubsample(labels, 0.1, 7) // 10 % of each class
 */
export function stratifiedSubsample(labels: readonly number[], fraction: number, seed: number): number[] {
  requireOption(fraction > 0 && fraction <= 1, 'subsample', `must be in (0, 1] (got ${fraction}).`);
  if (fraction === 1) return labels.map((_, i) => i);
  const classes = byClass(labels, new Rng(seed));
  const take = allocate(classes.map((c) => c.length), fraction).map((t, k) => Math.max(t, classes[k].length > 0 ? 1 : 0));
  return classes.flatMap((c, k) => c.slice(0, take[k])).sort(asc);
}

/**
 * Samples per class. Class-index labels count once; multi-label rows (arrays) count each class
 * whose value is 1 (−1 "ignore" and 0 do not count).
 * @example classCounts([0, 2, 2], 3); // [1, 0, 2]
 */
export function classCounts(labels: readonly (number | readonly number[])[], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const l of labels) {
    if (typeof l === 'number') counts[l]++;
    else l.forEach((v, k) => { if (v === 1) counts[k]++; });
  }
  return counts;
}

/**
 * Balanced class weights as scikit-learn's `compute_class_weight('balanced')`:
 * n_samples / (n_classes · count[c]). Throws KILN_DATA_EMPTY_CLASS for a class with no samples.
 * @example balancedClassWeights([0, 0, 0, 1], 2); // [0.667, 2]
 */
export function balancedClassWeights(labels: readonly number[], numClasses: number, classNames?: readonly string[]): number[] {
  const counts = classCounts(labels, numClasses);
  const empty = counts.findIndex((c) => c === 0);
  if (empty >= 0) {
    const name = classNames?.[empty] ?? String(empty);
    throw new KilnError(DataErrorCodes.EMPTY_CLASS, `Class '${name}' has no samples in the training split, so it has no balanced weight. Add samples of it or remove the class.`,
      { details: { class: name, index: empty } });
  }
  return counts.map((c) => labels.length / (numClasses * c));
}
