import type { MetricValue } from '@kiln/core-trainer';
import type { ThresholdOptions } from './internal/classify.js';
import { ConfusionMetric } from './internal/confusion-metric.js';
import { perClassCounts } from './internal/confusion-state.js';

export interface OverlapMetricOptions extends ThresholdOptions {
  /** Multi-class: count class 0 (background) in the mean. Default true. */
  readonly includeBackground?: boolean;
  /** Return `{ mean, <class>: value, … }` instead of the mean alone. Default false. */
  readonly perClass?: boolean;
  /** Names used as keys with `perClass` (default: the class index). */
  readonly classNames?: readonly string[];
  readonly name?: string;
}

/**
 * Dice (`2·TP / (2·TP + FP + FN)`) or IoU (`TP / (TP + FP + FN)`) from a confusion matrix streamed
 * over the whole dataset (global per class, not a mean of batch values).
 * Binary masks ([N,H,W,1] thresholded): the foreground class's value.
 * Multi-class ([N,H,W,C] argmax): the mean over classes that occur in targets or predictions;
 * classes absent from both are left out (of the mean and of the per-class record).
 */
abstract class OverlapMetric extends ConfusionMetric {
  readonly #o: OverlapMetricOptions;

  constructor(defaultName: string, options: OverlapMetricOptions) {
    super(options.name ?? defaultName, options);
    this.#o = options;
  }

  protected abstract score(tp: number, fp: number, fn: number): number;

  async compute(): Promise<MetricValue> {
    const { tp, fp, fn } = perClassCounts(this.state.matrix());
    const binary = this.state.binary;
    const first = binary ? 1 : this.#o.includeBackground === false ? 1 : 0;
    const values: Record<string, number> = {};
    for (let c = first; c < tp.length; c++) {
      if (tp[c] + fp[c] + fn[c] > 0) values[this.#o.classNames?.[c] ?? String(c)] = this.score(tp[c], fp[c], fn[c]);
    }
    const present = Object.values(values);
    // No foreground in targets or predictions anywhere: perfect agreement.
    const mean = present.length ? present.reduce((a, b) => a + b, 0) / present.length : 1;
    return this.#o.perClass ? { mean, ...values } : mean;
  }

}

/**
 * Streaming Dice (F1 over pixels), exact over the dataset.
 * @example
 * const dice = new DiceScore(); // binary masks, threshold 0.5
 * tf.tidy(() => dice.update(masks, probs));
 * await dice.compute(); // 0.87
 */
export class DiceScore extends OverlapMetric {
  constructor(options: OverlapMetricOptions = {}) {
    super('dice', options);
  }

  protected score(tp: number, fp: number, fn: number): number {
    return (2 * tp) / (2 * tp + fp + fn);
  }
}

/**
 * Streaming IoU (Jaccard), exact over the dataset.
 * @example const iou = new IoU({ perClass: true, classNames: ['bg', 'cell'] });
 */
export class IoU extends OverlapMetric {
  constructor(options: OverlapMetricOptions = {}) {
    super('iou', options);
  }

  protected score(tp: number, fp: number, fn: number): number {
    return tp / (tp + fp + fn);
  }
}
