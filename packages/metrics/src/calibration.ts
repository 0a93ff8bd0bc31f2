import * as tf from '@tensorflow/tfjs-core';
import type { Metric, MetricValue } from '@kiln/core-trainer';
import { MetricErrorCodes, metricError } from './errors.js';
import { Accumulator } from './internal/accumulator.js';
import { assertClean, countInvalid, countNonFinite, hardLabels, isBinary } from './internal/classify.js';

export interface CalibrationOptions {
  /** Equal-width confidence bins over [0, 1]. Default 15. */
  readonly bins?: number;
  readonly fromLogits?: boolean;
  readonly name?: string;
}

/**
 * Expected calibration error `Σ_b (n_b / N)·|accuracy_b − confidence_b|` over equal-width bins
 * (bin = ⌊confidence·bins⌋, the last bin closed), as torchmetrics defines it: binary scores use
 * the positive probability as confidence and the target as accuracy; multi-class uses the top
 * probability and whether the argmax is right.
 * @example const ece = new CalibrationError({ bins: 10 });
 */
export class CalibrationError implements Metric {
  readonly name: string;
  readonly #bins: number;
  readonly #acc: Accumulator; // per bin: count, Σconfidence, Σaccuracy; then invalid targets, non-finite predictions
  readonly #o: CalibrationOptions;
  #range = '';

  constructor(options: CalibrationOptions = {}) {
    this.name = options.name ?? 'ece';
    this.#bins = options.bins ?? 15;
    this.#o = options;
    if (!(Number.isInteger(this.#bins) && this.#bins >= 1)) {
      metricError(MetricErrorCodes.INVALID_OPTION, `Metric '${this.name}': bins = ${this.#bins} must be a whole number >= 1.`, { argument: 'bins', value: this.#bins, validRange: '[1, ∞)' });
    }
    this.#acc = new Accumulator(3 * this.#bins + 2);
  }

  update(yTrue: tf.Tensor, yPred: tf.Tensor): void {
    tf.tidy(() => {
      const binary = isBinary(yPred);
      const scores = this.#o.fromLogits ? (binary ? tf.sigmoid(yPred) : tf.softmax(yPred)) : yPred;
      const h = hardLabels(this.name, yTrue, scores, {});
      let confidence: tf.Tensor;
      let correct: tf.Tensor;
      if (binary) {
        confidence = tf.reshape(scores, [-1]);
        correct = h.truth;
      } else {
        confidence = tf.reshape(tf.max(scores, -1), [-1]);
        correct = tf.cast(tf.equal(tf.cast(h.pred, 'float32'), h.truth), 'float32');
      }
      const bin = tf.cast(tf.clipByValue(tf.floor(tf.mul(confidence, this.#bins)), 0, this.#bins - 1), 'int32');
      const oneHot = tf.oneHot(bin, this.#bins, 1, 0, 'float32');
      const sums = tf.matMul(tf.stack([tf.onesLike(confidence), confidence, correct]), oneHot); // [3, bins]
      this.#range = binary ? '{0, 1}' : `[0, ${h.numClasses - 1}]`;
      this.#acc.add(tf.concat([tf.reshape(sums, [-1]), tf.stack([countInvalid(h.truth, h.numClasses), countNonFinite(yPred)])]));
    });
  }

  async compute(): Promise<MetricValue> {
    const v = this.#acc.values();
    const b = this.#bins;
    assertClean(this.name, v[3 * b], v[3 * b + 1], this.#range);
    const n = v.subarray(0, b).reduce((a, x) => a + x, 0);
    if (n === 0) metricError(MetricErrorCodes.EMPTY, `Metric '${this.name}': compute() was called before any update().`, {});
    let ece = 0;
    for (let i = 0; i < b; i++) {
      const count = v[i];
      if (count > 0) ece += (count / n) * Math.abs(v[2 * b + i] / count - v[b + i] / count);
    }
    return ece;
  }

  reset(): void {
    this.#acc.reset();
  }

  async stateDict(): Promise<unknown> {
    return { sums: this.#acc.toJSON(), range: this.#range };
  }

  loadStateDict(state: unknown): void {
    const s = state as { sums?: unknown; range?: string } | null;
    this.#acc.load(s?.sums, this.name);
    this.#range = s?.range ?? '';
  }
}
