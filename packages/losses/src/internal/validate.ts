import * as tf from '@tensorflow/tfjs-core';
import { LossErrorCodes, lossError } from '../errors.js';

/** Scalar tensors to read back in one sync: `bad` counts NaN/Inf in predictions; `min`/`max` of labels. */
export interface Checks {
  readonly badPredictions?: tf.Tensor;
  readonly labelMin?: tf.Tensor;
  readonly labelMax?: tf.Tensor;
  readonly nonInteger?: tf.Tensor;
}

/**
 * When a loss checks its inputs: `true` every call, `false` never, N the first call and then every
 * N-th. Each check reads back a few scalars (a device sync), so training uses a period, not every step.
 */
export type ValidateOption = boolean | number;

/** Counts calls and says whether this one is checked. */
export class ValidationGate {
  #calls = 0;
  constructor(readonly option: ValidateOption = true) {}

  next(): boolean {
    const call = this.#calls++;
    if (this.option === true || this.option === false) return this.option;
    return call % this.option === 0;
  }
}

/** Counts NaN/±Inf entries of `x` (a scalar tensor). */
export function countNonFinite(x: tf.Tensor): tf.Tensor {
  return tf.sum(tf.cast(tf.logicalNot(tf.isFinite(x)), 'float32'));
}

/**
 * Reads every check back in one `dataSync` and throws the matching coded error.
 * `range` is the valid label interval, e.g. `[0, C - 1]` for class indices or `[0, 1]` for binary targets.
 */
export function enforce(loss: string, checks: Checks, range: readonly [number, number], what: string): void {
  const names = (Object.keys(checks) as (keyof Checks)[]).filter((k) => checks[k] !== undefined);
  if (!names.length) return;
  const values = tf.tidy(() => tf.stack(names.map((k) => tf.cast(tf.reshape(checks[k]!, []), 'float32'))).dataSync());
  const v = Object.fromEntries(names.map((k, i) => [k, values[i]])) as Record<keyof Checks, number>;
  if (v.badPredictions > 0) {
    lossError(LossErrorCodes.NAN_PREDICTION,
      `Loss '${loss}': predictions contain ${v.badPredictions} NaN/Infinity value(s). Lower the learning rate, enable gradient clipping, or check the inputs.`,
      { argument: 'yPred', count: v.badPredictions });
  }
  if (v.labelMin < range[0] || v.labelMax > range[1] || Number.isNaN(v.labelMin) || Number.isNaN(v.labelMax)) {
    lossError(LossErrorCodes.LABEL_RANGE,
      `Loss '${loss}': ${what} must lie in [${range[0]}, ${range[1]}], but they range over [${v.labelMin}, ${v.labelMax}].`,
      { argument: 'yTrue', min: v.labelMin, max: v.labelMax, validRange: range });
  }
  if (v.nonInteger > 0) {
    lossError(LossErrorCodes.LABEL_RANGE, `Loss '${loss}': ${what} must be whole numbers, but ${v.nonInteger} are not.`,
      { argument: 'yTrue', count: v.nonInteger });
  }
}
