import * as tf from '@tensorflow/tfjs-core';
import type { Metric, MetricValue } from '@kiln/core-trainer';
import { MetricErrorCodes, metricError } from './errors.js';
import { Accumulator } from './internal/accumulator.js';
import { type ThresholdOptions, assertClean, checkThreshold, countInvalid, countNonFinite, hardLabels, isBinary } from './internal/classify.js';

export interface AccuracyOptions extends ThresholdOptions {
  /** A prediction counts as correct when the true class is among the `topK` highest scores (multi-class). Default 1. */
  readonly topK?: number;
  /** 'multilabel': every element of [N, L] sigmoid outputs is a separate binary decision. Default: inferred. */
  readonly task?: 'auto' | 'multilabel';
  readonly name?: string;
}

/**
 * Streaming accuracy, exact over all updates: the fraction of samples (or pixels) whose prediction
 * is right. Binary scores ([N], [N,1], masks [N,H,W,1]) are thresholded; multi-class scores
 * [..., C] use argmax or top-k; targets are indices or one-hot.
 * @example
 * const acc = new Accuracy({ topK: 5 });
 * tf.tidy(() => acc.update(labels, probs));
 * const value = await acc.compute(); // e.g. 0.93
 */
export class Accuracy implements Metric {
  readonly name: string;
  readonly #o: AccuracyOptions;
  readonly #acc = new Accumulator(4); // correct, total, invalid targets, non-finite predictions
  #range = '';

  constructor(options: AccuracyOptions = {}) {
    this.#o = options;
    const k = options.topK ?? 1;
    this.name = options.name ?? (k === 1 ? 'accuracy' : `top${k}_accuracy`);
    if (!Number.isInteger(k) || k < 1) {
      metricError(MetricErrorCodes.INVALID_OPTION, `Metric '${this.name}': topK = ${k} must be a whole number >= 1.`, { argument: 'topK', value: k, validRange: '[1, numClasses]' });
    }
    checkThreshold(this.name, options.threshold);
  }

  update(yTrue: tf.Tensor, yPred: tf.Tensor): void {
    tf.tidy(() => {
      const k = this.#o.topK ?? 1;
      const bad = countNonFinite(yPred);
      let correct: tf.Tensor;
      let truth: tf.Tensor;
      let c: number;
      if (this.#o.task === 'multilabel' || isBinary(yPred) || k === 1) {
        const flat = this.#o.task === 'multilabel' ? { yTrue: tf.reshape(yTrue, [-1, 1]), yPred: tf.reshape(yPred, [-1, 1]) } : { yTrue, yPred };
        const h = hardLabels(this.name, flat.yTrue, flat.yPred, this.#o);
        correct = tf.equal(tf.cast(h.pred, 'float32'), h.truth);
        truth = h.truth;
        c = h.numClasses;
      } else {
        c = yPred.shape[yPred.rank - 1];
        if (k > c) {
          metricError(MetricErrorCodes.INVALID_OPTION, `Metric '${this.name}': topK = ${k} exceeds the ${c} classes.`, { argument: 'topK', value: k, validRange: `[1, ${c}]` });
        }
        const h = hardLabels(this.name, yTrue, yPred, this.#o);
        const { indices } = tf.topk(tf.reshape(yPred, [-1, c]), k);
        correct = tf.any(tf.equal(tf.cast(indices, 'float32'), tf.expandDims(h.truth, 1)), 1);
        truth = h.truth;
      }
      this.#range = c === 2 && isBinary(yPred) ? '{0, 1}' : `[0, ${c - 1}]`;
      this.#acc.add(tf.stack([tf.sum(tf.cast(correct, 'float32')), tf.scalar(truth.size), countInvalid(truth, c), bad]));
    });
  }

  async compute(): Promise<MetricValue> {
    const [correct, total, invalid, bad] = this.#acc.values();
    assertClean(this.name, invalid, bad, this.#range);
    if (total === 0) metricError(MetricErrorCodes.EMPTY, `Metric '${this.name}': compute() was called before any update().`, {});
    return correct / total;
  }

  reset(): void {
    this.#acc.reset();
  }

  async stateDict(): Promise<unknown> {
    return { sums: this.#acc.toJSON(), range: this.#range };
  }

  loadStateDict(state: unknown): void {
    const s = state as { sums?: unknown; range?: string };
    this.#acc.load(s?.sums, this.name);
    this.#range = s.range ?? '';
  }
}
