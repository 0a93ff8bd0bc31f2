import * as tf from '@tensorflow/tfjs-core';
import { LossErrorCodes, lossError } from '../errors.js';

export type Reduction = 'mean' | 'sum' | 'none';
export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** Returns `r` (default 'mean') or throws KILN_LOSS_REDUCTION_UNKNOWN naming the loss. */
export function checkReduction(loss: string, r: unknown = 'mean'): Reduction {
  if (!REDUCTIONS.includes(r as Reduction)) {
    lossError(LossErrorCodes.REDUCTION_UNKNOWN,
      `Loss '${loss}': reduction ${JSON.stringify(r)} is not one of ${REDUCTIONS.join(', ')}.`, { argument: 'reduction', value: r, allowed: REDUCTIONS });
  }
  return r as Reduction;
}

/**
 * Reduces per-element losses: 'none' returns them, 'sum' sums, 'mean' divides the sum by `denom`
 * (a scalar tensor, e.g. the sum of target weights) or by the element count. A zero denominator
 * (every element ignored) gives 0, not NaN.
 */
export function reduce(perElement: tf.Tensor, reduction: Reduction, denom?: tf.Tensor): tf.Tensor {
  if (reduction === 'none') return perElement;
  const total = tf.sum(perElement);
  if (reduction === 'sum') return total;
  if (!denom) return tf.div(total, Math.max(perElement.size, 1));
  return tf.div(total, tf.maximum(denom, 1e-12)); // tf.divNoNan is not differentiable (Equal has no gradient)
}
