import { LossErrorCodes, lossError } from './errors.js';

/**
 * Per-class label counts of integer `labels` in [0, numClasses).
 * @example countLabels([0, 1, 1, 2], 3) // [1, 2, 1]
 */
export function countLabels(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      lossError(LossErrorCodes.LABEL_RANGE, `countLabels: labels[${i}] = ${y} is not a class index in [0, ${numClasses - 1}].`,
        { argument: `labels[${i}]`, value: y, validRange: [0, numClasses - 1] });
    }
    counts[y] += 1;
  }
  return counts;
}

/**
 * scikit-learn's `compute_class_weight('balanced', …)`: `n_samples / (n_classes * count[c])`.
 * Every class must occur at least once (as scikit-learn requires).
 * @example balancedClassWeights([10, 30]) // [2, 0.666…]
 */
export function balancedClassWeights(counts: readonly number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  const missing = counts.findIndex((c) => !(c > 0));
  if (missing >= 0) {
    lossError(LossErrorCodes.INVALID_OPTION,
      `'balanced' class weights need every class in the training labels, but class ${missing} has count ${counts[missing]}. Give explicit classWeights instead.`,
      { argument: `classCounts[${missing}]`, value: counts[missing], validRange: '(0, Infinity)' });
  }
  return counts.map((c) => n / (counts.length * c));
}

/** Class weights as given: explicit numbers, or `'balanced'` with the label counts of the training set. */
export type ClassWeights = readonly number[] | 'balanced';

/** A class for samples of unknown kind (e.g. ISIC's 'UNK') whose weight is set apart from the others. */
export interface UnknownClass {
  /** Its class index. */
  readonly index: number;
  /** Its weight; the other classes keep theirs ('balanced' is computed over the other classes only). */
  readonly weight: number;
}

/**
 * Resolves `classWeights` to one weight per class, or undefined for none. `'balanced'` is computed
 * from `classCounts` as scikit-learn does; with `unknown`, over the known classes only (their
 * counts and total), and the unknown class gets `unknown.weight`. Without classWeights, `unknown`
 * gives every other class weight 1. The result's length is checked against the predictions later.
 * @example resolveClassWeights('ce', 'balanced', [10, 30, 0], { index: 2, weight: 0.1 }) // [2, 0.667, 0.1]
 */
export function resolveClassWeights(loss: string, classWeights?: ClassWeights, classCounts?: readonly number[], unknown?: UnknownClass):
  ((numClasses: number) => readonly number[]) | undefined {
  if (unknown && !(Number.isInteger(unknown.index) && unknown.index >= 0 && Number.isFinite(unknown.weight) && unknown.weight >= 0)) {
    lossError(LossErrorCodes.INVALID_OPTION, `Loss '${loss}': unknownClass ${JSON.stringify(unknown)} needs a class index >= 0 and a weight >= 0.`,
      { argument: 'unknownClass', value: unknown });
  }
  let known: readonly number[] | undefined;
  if (classWeights === 'balanced') {
    if (!classCounts) {
      lossError(LossErrorCodes.BALANCED_NEEDS_COUNTS,
        `Loss '${loss}': classWeights 'balanced' needs classCounts (label counts of the training set). Pass classCounts, e.g. from countLabels(labels, numClasses).`,
        { argument: 'classCounts' });
    }
    if (unknown && unknown.index >= classCounts.length) {
      lossError(LossErrorCodes.WEIGHTS_LENGTH, `Loss '${loss}': unknownClass.index ${unknown.index} is outside classCounts (length ${classCounts.length}).`,
        { argument: 'unknownClass.index', value: unknown.index, validRange: [0, classCounts.length - 1] });
    }
    const others = unknown ? classCounts.filter((_, i) => i !== unknown.index) : classCounts;
    const w = balancedClassWeights(others);
    known = unknown ? [...w.slice(0, unknown.index), unknown.weight, ...w.slice(unknown.index)] : w;
  } else if (classWeights && unknown) {
    known = classWeights.map((w, i) => (i === unknown.index ? unknown.weight : w));
  } else {
    known = classWeights;
  }
  if (known) {
    const fixed = known;
    return () => fixed;
  }
  if (!unknown) return undefined;
  return (c) => Array.from({ length: c }, (_, i) => (i === unknown.index ? unknown.weight : 1));
}
