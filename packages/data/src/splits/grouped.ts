import { KilnError, Rng } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';
import { requireOption } from '../internal/check.js';
import type { SplitIndices } from './random-split.js';

const asc = (a: number, b: number): number => a - b;

function groupIndices(groups: readonly string[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  groups.forEach((g, i) => m.set(g, [...(m.get(g) ?? []), i]));
  return m;
}

/**
 * A validation split in which every group (patient, lesion) lies wholly on one side. Groups are
 * shuffled with the seed and moved to `val` until it holds about round(n·valFraction) samples.
 * Samples without a group form a group of their own each (pass their id).
 * @example groupSplitIndices(['p1', 'p1', 'p2', 'p3'], 0.25, 0)
 */
export function groupSplitIndices(groups: readonly string[], valFraction: number, seed: number): SplitIndices {
  requireOption(valFraction > 0 && valFraction < 1, 'valFraction', `must be in (0, 1) (got ${valFraction}).`);
  const byGroup = groupIndices(groups);
  const names = new Rng(seed).shuffle([...byGroup.keys()].sort());
  const target = Math.round(groups.length * valFraction);
  const val: number[] = [];
  for (const g of names) {
    const members = byGroup.get(g)!;
    if (val.length >= target) break;
    // Take the group when that brings val closer to the target than leaving it.
    if (val.length === 0 || Math.abs(val.length + members.length - target) <= Math.abs(val.length - target)) val.push(...members);
  }
  const inVal = new Set(val);
  const train = groups.map((_, i) => i).filter((i) => !inVal.has(i));
  if (val.length === 0 || train.length === 0) {
    throw new KilnError(DataErrorCodes.EMPTY, `A grouped ${valFraction} validation split of ${byGroup.size} groups leaves one side empty. Add groups or change valFraction.`,
      { details: { groups: byGroup.size, valFraction } });
  }
  return { train, val: val.sort(asc) };
}

/**
 * Fold `fold` of a k-fold split (validation = that fold). Plain k-fold shuffles the indices;
 * with `labels` the folds are stratified (each class dealt round-robin); with `groups` whole groups
 * go to the currently smallest fold, largest groups first (as scikit-learn's GroupKFold).
 * @example kFoldIndices(100, 5, 0, 42, { labels })
 */
export function kFoldIndices(n: number, k: number, fold: number, seed: number,
  by: { readonly labels?: readonly number[]; readonly groups?: readonly string[] } = {}): SplitIndices {
  requireOption(Number.isInteger(k) && k >= 2 && k <= n, 'k', `must be an integer in [2, ${n}] (got ${k}).`);
  requireOption(Number.isInteger(fold) && fold >= 0 && fold < k, 'fold', `must be an integer in [0, ${k - 1}] (got ${fold}).`);
  const rng = new Rng(seed);
  const foldOf = new Array<number>(n).fill(0);
  if (by.groups) {
    const sizes = new Array<number>(k).fill(0);
    const byGroup = groupIndices(by.groups);
    const names = rng.shuffle([...byGroup.keys()].sort()).sort((a, b) => byGroup.get(b)!.length - byGroup.get(a)!.length);
    requireOption(names.length >= k, 'k', `is larger than the number of groups (${names.length}).`);
    for (const g of names) {
      const f = sizes.indexOf(Math.min(...sizes));
      for (const i of byGroup.get(g)!) foldOf[i] = f;
      sizes[f] += byGroup.get(g)!.length;
    }
  } else if (by.labels) {
    const classes = new Map<number, number[]>();
    by.labels.forEach((l, i) => classes.set(l, [...(classes.get(l) ?? []), i]));
    let offset = 0;
    for (const key of [...classes.keys()].sort(asc)) {
      rng.shuffle(classes.get(key)!).forEach((i, j) => { foldOf[i] = (j + offset) % k; });
      offset += classes.get(key)!.length;
    }
  } else {
    rng.shuffle(Array.from({ length: n }, (_, i) => i)).forEach((i, j) => { foldOf[i] = j % k; });
  }
  const val = foldOf.flatMap((f, i) => (f === fold ? [i] : []));
  const train = foldOf.flatMap((f, i) => (f === fold ? [] : [i]));
  return { train, val };
}
