import type * as tf from '@tensorflow/tfjs-core';
import type { Metric, MetricValue } from '@kiln/core-trainer';
import { MetricErrorCodes, metricError } from './errors.js';
import { binaryAuroc, binaryAveragePrecision, clfCurve } from './internal/ranking-math.js';
import { ScoreStore } from './internal/score-store.js';

export type RankingAverage = 'macro' | 'micro' | 'weighted' | 'none';
const AVERAGES: readonly RankingAverage[] = ['macro', 'micro', 'weighted', 'none'];

export interface RankingOptions {
  /** Over columns: 'macro' (default) mean, 'micro' all decisions pooled, 'weighted' by positives, 'none' a record per column. */
  readonly average?: RankingAverage;
  /** Predictions are logits: sigmoid (one column) or softmax (several) is applied. AUROC/AP are unchanged by sigmoid. */
  readonly fromLogits?: boolean;
  readonly classNames?: readonly string[];
  readonly name?: string;
}

/**
 * Shared logic of AUROC and average precision: binary scores [N] / [N,1] (or masks), one-vs-rest
 * for multi-class scores [N,C] with index targets, and per-label for multi-label [N,L] with 0/1
 * targets. Columns whose value is undefined (only one class present) are left out of the
 * macro/weighted mean and of the record; if no column is defined, compute throws KILN_METRIC_EMPTY.
 */
abstract class RankingMetric implements Metric {
  readonly name: string;
  readonly #store: ScoreStore;
  readonly #o: RankingOptions;

  constructor(defaultName: string, options: RankingOptions) {
    this.name = options.name ?? defaultName;
    this.#o = options;
    if (options.average !== undefined && !AVERAGES.includes(options.average)) {
      metricError(MetricErrorCodes.INVALID_OPTION, `Metric '${this.name}': average '${options.average}' is not one of ${AVERAGES.join(', ')}.`,
        { argument: 'average', value: options.average, allowed: AVERAGES });
    }
    this.#store = new ScoreStore(this.name, options.fromLogits);
  }

  protected abstract binary(scores: Float64Array, targets: Float64Array): number;

  update(yTrue: tf.Tensor, yPred: tf.Tensor): void {
    this.#store.update(yTrue, yPred);
  }

  async compute(): Promise<MetricValue> {
    const { scores, targets } = this.#store.columns();
    const average = this.#o.average ?? 'macro';
    const undefinedError = () => metricError(MetricErrorCodes.EMPTY,
      `Metric '${this.name}': undefined for the data seen (every column has only positive or only negative targets).`, {});
    if (average === 'micro' || scores.length === 1) {
      const cat = (xs: Float64Array[]) => Float64Array.from(xs.flatMap((x) => Array.from(x)));
      const v = this.binary(cat(scores), cat(targets));
      return Number.isNaN(v) ? undefinedError() : v;
    }
    const values = scores.map((s, j) => this.binary(s, targets[j]));
    const defined = values.map((v, j) => [v, j] as const).filter(([v]) => !Number.isNaN(v));
    if (!defined.length) return undefinedError();
    if (average === 'none') return Object.fromEntries(defined.map(([v, j]) => [this.#o.classNames?.[j] ?? String(j), v]));
    if (average === 'macro') return defined.reduce((a, [v]) => a + v, 0) / defined.length;
    const weights = defined.map(([, j]) => targets[j].reduce((a, b) => a + b, 0));
    const total = weights.reduce((a, b) => a + b, 0);
    return defined.reduce((a, [v], i) => a + v * weights[i], 0) / total;
  }

  reset(): void {
    this.#store.reset();
  }

  async stateDict(): Promise<unknown> {
    return this.#store.stateDict();
  }

  loadStateDict(state: unknown): void {
    this.#store.loadStateDict(state);
  }
}

/**
 * Area under the ROC curve, exact over the data set (scikit-learn's `roc_auc_score`).
 * @example const auc = new Auroc({ average: 'macro' }); // 14-label chest X-ray: per-label, then mean
 */
export class Auroc extends RankingMetric {
  constructor(options: RankingOptions = {}) {
    super('auroc', options);
  }

  protected binary(s: Float64Array, t: Float64Array): number {
    return binaryAuroc(s, t);
  }
}

/**
 * Average precision (area under the precision-recall curve without interpolation), as scikit-learn's `average_precision_score`.
 * @example const ap = new AveragePrecision();
 */
export class AveragePrecision extends RankingMetric {
  constructor(options: RankingOptions = {}) {
    super('average_precision', options);
  }

  protected binary(s: Float64Array, t: Float64Array): number {
    return binaryAveragePrecision(s, t);
  }
}

export interface SensitivityThresholdOptions {
  /** The sensitivity (true-positive rate) to reach, in (0, 1]. */
  readonly targetSensitivity: number;
  /** Column of multi-label / multi-class scores to use. Default 0 (the only column of binary scores). */
  readonly column?: number;
  readonly fromLogits?: boolean;
  readonly name?: string;
}

/**
 * The highest threshold whose rule `score >= threshold` reaches the target sensitivity, with the
 * sensitivity and specificity there (the point of scikit-learn's `roc_curve` with
 * `drop_intermediate=False`). The threshold is a probability (sigmoid/softmax applied with `fromLogits`).
 * @example const op = new SensitivityThreshold({ targetSensitivity: 0.95 }); // → { threshold, sensitivity, specificity }
 */
export class SensitivityThreshold implements Metric {
  readonly name: string;
  readonly #store: ScoreStore;

  constructor(readonly options: SensitivityThresholdOptions) {
    this.name = options.name ?? 'sensitivity_threshold';
    const t = options.targetSensitivity;
    if (!(t > 0 && t <= 1)) {
      metricError(MetricErrorCodes.INVALID_OPTION, `Metric '${this.name}': targetSensitivity = ${t} must be in (0, 1].`, { argument: 'targetSensitivity', value: t, validRange: '(0, 1]' });
    }
    this.#store = new ScoreStore(this.name, options.fromLogits);
  }

  update(yTrue: tf.Tensor, yPred: tf.Tensor): void {
    this.#store.update(yTrue, yPred);
  }

  async compute(): Promise<MetricValue> {
    const { scores, targets } = this.#store.columns();
    const j = this.options.column ?? 0;
    if (!(Number.isInteger(j) && j >= 0 && j < scores.length)) {
      metricError(MetricErrorCodes.INVALID_OPTION, `Metric '${this.name}': column = ${j} is outside [0, ${scores.length - 1}].`, { argument: 'column', value: j, validRange: [0, scores.length - 1] });
    }
    const { thresholds, tps, fps } = clfCurve(scores[j], targets[j]);
    const p = tps[tps.length - 1];
    const n = fps[fps.length - 1];
    if (!p) metricError(MetricErrorCodes.EMPTY, `Metric '${this.name}': no positive targets seen, so sensitivity is undefined.`, {});
    const i = tps.findIndex((tp) => tp / p >= this.options.targetSensitivity);
    // Without negative targets specificity is undefined and left out.
    return { threshold: thresholds[i], sensitivity: tps[i] / p, ...(n ? { specificity: (n - fps[i]) / n } : {}) };
  }

  reset(): void {
    this.#store.reset();
  }

  async stateDict(): Promise<unknown> {
    return this.#store.stateDict();
  }

  loadStateDict(state: unknown): void {
    this.#store.loadStateDict(state);
  }
}
