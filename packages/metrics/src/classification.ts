import type { MetricValue } from '@kiln/core-trainer';
import { MetricErrorCodes, metricError } from './errors.js';
import type { ThresholdOptions } from './internal/classify.js';
import { ConfusionMetric } from './internal/confusion-metric.js';
import { perClassCounts } from './internal/confusion-state.js';

export type Average = 'binary' | 'micro' | 'macro' | 'weighted' | 'none';
export type ClassificationKind = 'precision' | 'recall' | 'f1' | 'sensitivity' | 'specificity';
const AVERAGES: readonly Average[] = ['binary', 'micro', 'macro', 'weighted', 'none'];

export interface ClassificationOptions extends ThresholdOptions {
  /**
   * 'binary': the positive class only (default for binary predictions); 'micro': over all decisions;
   * 'macro': unweighted mean over classes present in targets or predictions (default for multi-class);
   * 'weighted': mean weighted by support; 'none': one value per class (a record).
   */
  readonly average?: Average;
  /** Value of a ratio whose denominator is 0 (scikit-learn's `zero_division`). Default 0. */
  readonly zeroDivision?: 0 | 1;
  /** Keys of the per-class record (default the class index). */
  readonly classNames?: readonly string[];
  readonly name?: string;
}

/**
 * Precision, recall (= sensitivity), F1 or specificity from a confusion matrix streamed over the
 * whole data set, with scikit-learn's averaging rules (`precision_recall_fscore_support`).
 * Specificity of class c is `TN / (TN + FP)` one-vs-rest.
 * @example
 * const f1 = new ClassificationScore('f1', { average: 'macro' });
 * tf.tidy(() => f1.update(labels, probs));
 * await f1.compute(); // 0.71
 */
export class ClassificationScore extends ConfusionMetric {
  readonly #o: ClassificationOptions;

  constructor(readonly kind: ClassificationKind, options: ClassificationOptions = {}) {
    const name = options.name ?? (options.average && options.average !== 'binary' && options.average !== 'none' ? `${kind}_${options.average}` : kind);
    if (options.average !== undefined && !AVERAGES.includes(options.average)) {
      metricError(MetricErrorCodes.INVALID_OPTION, `Metric '${name}': average '${options.average}' is not one of ${AVERAGES.join(', ')}.`,
        { argument: 'average', value: options.average, allowed: AVERAGES });
    }
    super(name, options);
    this.#o = options;
  }

  async compute(): Promise<MetricValue> {
    const cm = this.state.matrix();
    const { tp, fp, fn, support } = perClassCounts(cm);
    const total = support.reduce((a, b) => a + b, 0);
    const tn = tp.map((t, i) => total - t - fp[i] - fn[i]);
    const z = this.#o.zeroDivision ?? 0;
    const ratio = (a: number, b: number) => (b === 0 ? z : a / b);
    const score = (tpc: number, fpc: number, fnc: number, tnc: number): number => {
      switch (this.kind) {
        case 'precision': return ratio(tpc, tpc + fpc);
        case 'recall': case 'sensitivity': return ratio(tpc, tpc + fnc);
        case 'specificity': return ratio(tnc, tnc + fpc);
        // scikit-learn: F1 is zero_division only when TP + FP + FN is 0.
        case 'f1': return ratio(2 * tpc, 2 * tpc + fpc + fnc);
      }
    };
    const average = this.#o.average ?? (this.state.binary ? 'binary' : 'macro');
    if (average === 'binary') {
      if (cm.length !== 2) {
        metricError(MetricErrorCodes.INVALID_OPTION, `Metric '${this.name}': average 'binary' needs two classes, but predictions have ${cm.length}. Use 'macro', 'micro', 'weighted' or 'none'.`,
          { argument: 'average', value: average });
      }
      return score(tp[1], fp[1], fn[1], tn[1]);
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    if (average === 'micro') return score(sum(tp), sum(fp), sum(fn), sum(tn));
    const present = tp.map((_, c) => c).filter((c) => support[c] > 0 || tp[c] + fp[c] > 0);
    const values = present.map((c) => score(tp[c], fp[c], fn[c], tn[c]));
    if (average === 'none') return Object.fromEntries(present.map((c, i) => [this.#o.classNames?.[c] ?? String(c), values[i]]));
    if (!present.length) return z;
    if (average === 'macro') return sum(values) / values.length;
    const weights = present.map((c) => support[c]);
    const w = sum(weights);
    return w === 0 ? z : sum(values.map((v, i) => v * weights[i])) / w;
  }

}

export interface ConfusionMatrixOptions extends ThresholdOptions {
  /** Normalise over true classes (rows), predicted classes (columns) or everything, as scikit-learn. Default none. */
  readonly normalize?: 'true' | 'pred' | 'all';
  readonly name?: string;
}

/**
 * Streaming confusion matrix (rows: true class, columns: predicted). `compute()` gives a record
 * `{ '<true>_<pred>': count }` for loggers; `matrix()` gives the rows.
 * @example const cm = new ConfusionMatrix(); tf.tidy(() => cm.update(labels, probs)); await cm.matrix(); // [[5, 1], [0, 4]]
 */
export class ConfusionMatrix extends ConfusionMetric {
  constructor(readonly options: ConfusionMatrixOptions = {}) {
    super(options.name ?? 'confusion_matrix', options);
  }

  async matrix(): Promise<number[][]> {
    const cm = this.state.matrix();
    const n = this.options.normalize;
    if (!n) return cm;
    const all = cm.flat().reduce((a, b) => a + b, 0);
    const cols = cm[0].map((_, j) => cm.reduce((a, row) => a + row[j], 0));
    return cm.map((row) => {
      const rowSum = row.reduce((a, b) => a + b, 0);
      return row.map((v, j) => {
        const d = n === 'true' ? rowSum : n === 'pred' ? cols[j] : all;
        return d === 0 ? 0 : v / d;
      });
    });
  }

  async compute(): Promise<MetricValue> {
    const cm = await this.matrix();
    return Object.fromEntries(cm.flatMap((row, i) => row.map((v, j) => [`${i}_${j}`, v])));
  }

}
