import * as tf from '@tensorflow/tfjs-core';
import type { Metric, MetricValue } from '@kiln/core-trainer';
import { MetricErrorCodes, metricError } from './errors.js';
import { Accumulator } from './internal/accumulator.js';
import { countNonFinite } from './internal/classify.js';

export type RegressionKind = 'mae' | 'rmse' | 'pearson';

/**
 * Mean absolute error, root mean squared error or Pearson correlation over every element of every
 * update (flattened), exact over the data set. Pearson sums values shifted by the first batch's
 * means (kept as tensors, no readback) so float32 sums do not cancel.
 * @example const rmse = new RegressionMetric('rmse'); tf.tidy(() => rmse.update(y, yHat)); await rmse.compute();
 */
export class RegressionMetric implements Metric {
  readonly name: string;
  // n, Σ|e|, Σe², Σdx, Σdy, Σdx², Σdy², Σdx·dy, non-finite predictions
  readonly #acc = new Accumulator(9);
  #shift: tf.Tensor | null = null;

  constructor(readonly kind: RegressionKind, options: { name?: string } = {}) {
    if (!['mae', 'rmse', 'pearson'].includes(kind)) {
      metricError(MetricErrorCodes.INVALID_OPTION, `Regression metric '${kind}' is not one of mae, rmse, pearson.`, { argument: 'kind', value: kind });
    }
    this.name = options.name ?? kind;
  }

  update(yTrue: tf.Tensor, yPred: tf.Tensor): void {
    if (yTrue.size !== yPred.size) {
      metricError(MetricErrorCodes.SHAPE_MISMATCH, `Metric '${this.name}': targets [${yTrue.shape}] and predictions [${yPred.shape}] differ in size.`,
        { argument: 'yTrue', yTrue: yTrue.shape, yPred: yPred.shape });
    }
    tf.tidy(() => {
      const x = tf.reshape(tf.cast(yPred, 'float32'), [-1]);
      const y = tf.reshape(tf.cast(yTrue, 'float32'), [-1]);
      if (!this.#shift) this.#shift = tf.keep(tf.stack([tf.mean(x), tf.mean(y)]));
      const e = tf.sub(x, y);
      const dx = tf.sub(x, tf.slice(this.#shift, [0], [1]));
      const dy = tf.sub(y, tf.slice(this.#shift, [1], [1]));
      this.#acc.add(tf.stack([
        tf.scalar(x.size), tf.sum(tf.abs(e)), tf.sum(tf.square(e)), tf.sum(dx), tf.sum(dy),
        tf.sum(tf.square(dx)), tf.sum(tf.square(dy)), tf.sum(tf.mul(dx, dy)), countNonFinite(yPred),
      ]));
    });
  }

  async compute(): Promise<MetricValue> {
    const [n, sae, sse, sx, sy, sxx, syy, sxy, bad] = this.#acc.values();
    if (bad > 0) metricError(MetricErrorCodes.NAN_PREDICTION, `Metric '${this.name}': ${bad} prediction value(s) were NaN or Infinity.`, { argument: 'yPred', count: bad });
    if (n === 0) metricError(MetricErrorCodes.EMPTY, `Metric '${this.name}': compute() was called before any update().`, {});
    if (this.kind === 'mae') return sae / n;
    if (this.kind === 'rmse') return Math.sqrt(sse / n);
    const cov = sxy - (sx * sy) / n;
    const vx = sxx - (sx * sx) / n;
    const vy = syy - (sy * sy) / n;
    if (!(vx > 0 && vy > 0)) metricError(MetricErrorCodes.EMPTY, `Metric '${this.name}': Pearson correlation is undefined when targets or predictions are constant.`, {});
    return cov / Math.sqrt(vx * vy);
  }

  reset(): void {
    this.#acc.reset();
    this.#shift?.dispose();
    this.#shift = null;
  }

  async stateDict(): Promise<unknown> {
    return { sums: this.#acc.toJSON(), shift: this.#shift ? Array.from(await this.#shift.data()) : null };
  }

  loadStateDict(state: unknown): void {
    const s = state as { sums?: unknown; shift?: unknown } | null;
    const shift = s?.shift;
    if (shift !== null && !(Array.isArray(shift) && shift.length === 2)) {
      metricError(MetricErrorCodes.STATE_INVALID, `Metric '${this.name}': saved state is not a regression-metric state.`, {});
    }
    this.reset();
    this.#acc.load(s?.sums, this.name);
    if (shift) this.#shift = tf.keep(tf.tensor1d(shift as number[]));
  }
}
