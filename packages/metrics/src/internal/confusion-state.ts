import * as tf from '@tensorflow/tfjs-core';
import { MetricErrorCodes, metricError } from '../errors.js';
import { Accumulator } from './accumulator.js';
import { type ThresholdOptions, assertClean, countInvalid, countNonFinite, hardLabels, isBinary } from './classify.js';

/**
 * A streaming C×C confusion matrix (rows: true class, columns: predicted class) kept as a tensor
 * between reads, plus counts of invalid targets and non-finite predictions (checked when read).
 * Binary predictions give C = 2 (0 = negative, 1 = positive).
 */
export class ConfusionState {
  #acc: Accumulator | null = null;
  #c = 0;
  #binary = false;

  constructor(readonly metric: string, readonly options: ThresholdOptions = {}) {}

  get numClasses(): number {
    return this.#c;
  }

  /** True when the predictions were binary scores (class 1 = positive), not C-way scores. */
  get binary(): boolean {
    return this.#binary;
  }

  update(yTrue: tf.Tensor, yPred: tf.Tensor): void {
    tf.tidy(() => {
      const { pred, truth, numClasses: c } = hardLabels(this.metric, yTrue, yPred, this.options);
      if (!this.#acc) {
        this.#acc = new Accumulator(c * c + 2);
        this.#c = c;
        this.#binary = isBinary(yPred);
      } else if (c !== this.#c) {
        metricError(MetricErrorCodes.SHAPE_MISMATCH, `Metric '${this.metric}': predictions have ${c} classes, earlier batches had ${this.#c}.`,
          { argument: 'yPred', numClasses: c, expected: this.#c });
      }
      const t = tf.oneHot(tf.cast(truth, 'int32'), c, 1, 0, 'float32');
      const p = tf.oneHot(pred, c, 1, 0, 'float32');
      const cm = tf.matMul(t, p, true, false);
      this.#acc.add(tf.concat([tf.reshape(cm, [-1]), tf.stack([countInvalid(truth, c), countNonFinite(yPred)])]));
    });
  }

  /** The matrix as rows of counts; throws the coded error if any invalid target or NaN prediction was seen. */
  matrix(): number[][] {
    if (!this.#acc) metricError(MetricErrorCodes.EMPTY, `Metric '${this.metric}': compute() was called before any update().`, {});
    const v = this.#acc.values();
    const c = this.#c;
    assertClean(this.metric, v[c * c], v[c * c + 1], c === 2 ? '{0, 1}' : `[0, ${c - 1}]`);
    return Array.from({ length: c }, (_, i) => Array.from(v.subarray(i * c, (i + 1) * c)));
  }

  reset(): void {
    this.#acc?.reset();
  }

  stateDict(): unknown {
    return { numClasses: this.#c, binary: this.#binary, sums: this.#acc ? this.#acc.toJSON() : null };
  }

  loadStateDict(state: unknown): void {
    const s = state as { numClasses?: unknown; binary?: unknown; sums?: unknown } | null;
    if (!s || typeof s.numClasses !== 'number') {
      metricError(MetricErrorCodes.STATE_INVALID, `Metric '${this.metric}': saved state is not a confusion-matrix state.`, {});
    }
    this.#acc?.reset();
    this.#c = s.numClasses;
    this.#binary = s.binary === true;
    this.#acc = s.sums === null ? null : new Accumulator(this.#c * this.#c + 2);
    this.#acc?.load(s.sums, this.metric);
  }
}

/** Per-class true positives, false positives and false negatives from a confusion matrix. */
export function perClassCounts(cm: number[][]): { tp: number[]; fp: number[]; fn: number[]; support: number[] } {
  const c = cm.length;
  const tp = cm.map((row, i) => row[i]);
  const support = cm.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = Array.from({ length: c }, (_, j) => cm.reduce((a, row) => a + row[j], 0));
  return { tp, fp: predicted.map((p, i) => p - tp[i]), fn: support.map((s, i) => s - tp[i]), support };
}
