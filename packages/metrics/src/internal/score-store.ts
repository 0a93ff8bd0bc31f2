import * as tf from '@tensorflow/tfjs-core';
import { MetricErrorCodes, metricError } from '../errors.js';
import { countInvalid, countNonFinite } from './classify.js';

/**
 * Keeps every score and binary target seen, as two growing kept tensors [M, K] (K = 1 for binary
 * scores, C for multi-class / multi-label), so ranking metrics are exact with no readback per batch.
 * Multi-class index targets become one-hot (one-vs-rest). `fromLogits` stores sigmoid/softmax scores.
 */
export class ScoreStore {
  #scores: tf.Tensor2D | null = null;
  #targets: tf.Tensor2D | null = null;
  #bad: tf.Tensor | null = null;
  #k = 0;

  constructor(readonly metric: string, readonly fromLogits = false) {}

  get width(): number {
    return this.#k;
  }

  update(yTrue: tf.Tensor, yPred: tf.Tensor): void {
    const next = tf.tidy(() => {
      const k = yPred.rank === 1 ? 1 : yPred.shape[yPred.rank - 1];
      if (this.#k && k !== this.#k) {
        metricError(MetricErrorCodes.SHAPE_MISMATCH, `Metric '${this.metric}': predictions have ${k} columns, earlier batches had ${this.#k}.`, { argument: 'yPred' });
      }
      let scores = tf.reshape(yPred, [-1, k]) as tf.Tensor2D;
      if (this.fromLogits) scores = (k === 1 ? tf.sigmoid(scores) : tf.softmax(scores)) as tf.Tensor2D;
      const m = scores.shape[0];
      let targets: tf.Tensor2D;
      let invalid: tf.Tensor;
      if (yTrue.size === m * k) {
        targets = tf.reshape(tf.cast(yTrue, 'float32'), [m, k]) as tf.Tensor2D;
        invalid = countInvalid(targets, 2);
      } else if (yTrue.size === m && k > 1) {
        const idx = tf.reshape(tf.cast(yTrue, 'float32'), [m]);
        invalid = countInvalid(idx, k);
        targets = tf.oneHot(tf.cast(idx, 'int32'), k, 1, 0, 'float32') as tf.Tensor2D;
      } else {
        return metricError(MetricErrorCodes.SHAPE_MISMATCH,
          `Metric '${this.metric}': targets [${yTrue.shape}] do not fit predictions [${yPred.shape}]. Pass binary targets shaped like the predictions or class indices.`,
          { argument: 'yTrue', yTrue: yTrue.shape, yPred: yPred.shape });
      }
      const bad = tf.stack([invalid, countNonFinite(yPred)]);
      return {
        scores: this.#scores ? tf.concat([this.#scores, scores]) : scores,
        targets: this.#targets ? tf.concat([this.#targets, targets]) : targets,
        bad: this.#bad ? tf.add(this.#bad, bad) : bad,
        k,
      };
    });
    tf.dispose([this.#scores, this.#targets, this.#bad].filter((t): t is tf.Tensor => t !== null));
    this.#scores = tf.keep(next.scores) as tf.Tensor2D;
    this.#targets = tf.keep(next.targets) as tf.Tensor2D;
    this.#bad = tf.keep(next.bad);
    this.#k = next.k;
  }

  /** Scores and targets per column (float64 copies), after checking targets were 0/1 (or in range) and scores finite. */
  columns(): { scores: Float64Array[]; targets: Float64Array[] } {
    if (!this.#scores || !this.#targets || !this.#bad) metricError(MetricErrorCodes.EMPTY, `Metric '${this.metric}': compute() was called before any update().`, {});
    const [invalid, bad] = this.#bad.dataSync();
    if (bad > 0) metricError(MetricErrorCodes.NAN_PREDICTION, `Metric '${this.metric}': ${bad} prediction value(s) were NaN or Infinity.`, { argument: 'yPred', count: bad });
    if (invalid > 0) {
      metricError(MetricErrorCodes.LABEL_RANGE, `Metric '${this.metric}': ${invalid} target(s) were not 0/1 (or not a class index in [0, ${this.#k - 1}]).`,
        { argument: 'yTrue', count: invalid });
    }
    const s = this.#scores.dataSync();
    const t = this.#targets.dataSync();
    const k = this.#k;
    const m = s.length / k;
    const col = (src: ArrayLike<number>, j: number) => Float64Array.from({ length: m }, (_, i) => src[i * k + j]);
    return { scores: Array.from({ length: k }, (_, j) => col(s, j)), targets: Array.from({ length: k }, (_, j) => col(t, j)) };
  }

  reset(): void {
    tf.dispose([this.#scores, this.#targets, this.#bad].filter((t): t is tf.Tensor => t !== null));
    this.#scores = this.#targets = null;
    this.#bad = null;
    this.#k = 0;
  }

  stateDict(): unknown {
    if (!this.#scores) return { k: 0 };
    return { k: this.#k, scores: Array.from(this.#scores.dataSync()), targets: Array.from(this.#targets!.dataSync()), bad: Array.from(this.#bad!.dataSync()) };
  }

  loadStateDict(state: unknown): void {
    const s = state as { k?: unknown; scores?: unknown; targets?: unknown; bad?: unknown } | null;
    const ok = s && typeof s.k === 'number' && (s.k === 0 || (Array.isArray(s.scores) && Array.isArray(s.targets) && Array.isArray(s.bad) &&
      s.scores.length === s.targets.length && s.scores.length % s.k === 0 && s.bad.length === 2));
    if (!ok) metricError(MetricErrorCodes.STATE_INVALID, `Metric '${this.metric}': saved state is not a score-list state. Resume with the same metric options.`, {});
    this.reset();
    if (s.k === 0) return;
    const k = s.k as number;
    const scores = s.scores as number[];
    this.#k = k;
    this.#scores = tf.tensor2d(scores, [scores.length / k, k]);
    this.#targets = tf.tensor2d(s.targets as number[], [scores.length / k, k]);
    this.#bad = tf.tensor1d(s.bad as number[]);
  }
}
