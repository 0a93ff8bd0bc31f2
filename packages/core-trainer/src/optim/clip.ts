import * as tf from '@tensorflow/tfjs-core';
import { checkOptimOption } from './errors.js';

export type NormType = number | 'inf';

/**
 * `torch.nn.utils.clip_grad_norm_` without mutation: the total `normType` norm of all gradients
 * (the norm of the per-tensor norms) and the gradients scaled by `min(1, maxNorm / (norm + 1e-6))`.
 * Returns new tensors (the caller disposes them, or runs this inside a tidy); the inputs are not
 * disposed. The norm stays a tensor so the caller decides when to read it. A non-finite norm is
 * not an error here (as in PyTorch's default): the clipped gradients are then NaN too.
 * @example const { grads: clipped, norm } = clipByGlobalNorm(grads, 1.0);
 */
export function clipByGlobalNorm(grads: Readonly<Record<string, tf.Tensor>>, maxNorm: number, normType: NormType = 2):
  { grads: Record<string, tf.Tensor>; norm: tf.Scalar } {
  checkOptimOption('clip', 'maxNorm', maxNorm, Number.isFinite(maxNorm) && maxNorm > 0, 'a finite number > 0');
  checkOptimOption('clip', 'normType', normType, normType === 'inf' || (Number.isFinite(normType) && normType > 0), "a number > 0 or 'inf'");
  const entries = Object.entries(grads);
  return tf.tidy(() => {
    const norm = (entries.length ? totalNorm(entries.map(([, g]) => g), normType) : tf.scalar(0)) as tf.Scalar;
    const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    return { grads: Object.fromEntries(entries.map(([k, g]) => [k, tf.mul(g, coef)])), norm };
  });
}

/** The total norm of several tensors, as torch: the `normType` norm of their norms. */
export function totalNorm(tensors: readonly tf.Tensor[], normType: NormType = 2): tf.Scalar {
  return tf.tidy(() => {
    if (normType === 'inf') return tf.max(tf.stack(tensors.map((t) => tf.max(tf.abs(t))))) as tf.Scalar;
    if (normType === 2) return tf.sqrt(tf.addN(tensors.map((t) => tf.sum(tf.square(t))))) as tf.Scalar;
    return tf.pow(tf.addN(tensors.map((t) => tf.sum(tf.pow(tf.abs(t), normType)))), 1 / normType) as tf.Scalar;
  });
}

/**
 * `torch.nn.utils.clip_grad_value_` without mutation: every gradient clamped to [−value, value].
 * @example const clipped = clipByValue(grads, 0.5);
 */
export function clipByValue(grads: Readonly<Record<string, tf.Tensor>>, value: number): Record<string, tf.Tensor> {
  checkOptimOption('clip', 'value', value, Number.isFinite(value) && value > 0, 'a finite number > 0');
  return tf.tidy(() => Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.clipByValue(g, -value, value)])));
}
