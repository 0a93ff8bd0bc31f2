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

/** Resolves `classWeights` to numbers (or undefined), computing 'balanced' from `classCounts`. */
export function resolveClassWeights(loss: string, classWeights?: ClassWeights, classCounts?: readonly number[]): readonly number[] | undefined {
  if (classWeights !== 'balanced') return classWeights;
  if (!classCounts) {
    lossError(LossErrorCodes.BALANCED_NEEDS_COUNTS,
      `Loss '${loss}': classWeights 'balanced' needs classCounts (label counts of the training set). Pass classCounts, e.g. from countLabels(labels, numClasses).`,
      { argument: 'classCounts' });
  }
  return balancedClassWeights(classCounts);
}
