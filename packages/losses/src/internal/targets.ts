import * as tf from '@tensorflow/tfjs-core';
import { LossErrorCodes, lossError } from '../errors.js';

/** Class targets as indices (`labels`, float32, shaped like `yPred` without its last axis) or as soft/one-hot `probs`. */
export type ClassTargets = { kind: 'index'; labels: tf.Tensor } | { kind: 'soft'; probs: tf.Tensor };

/**
 * Interprets `yTrue` against class scores `yPred` [..., C]:
 * - rank one less than `yPred` (e.g. [N] or [N,H,W]): class indices, int or float;
 * - same shape as `yPred`: one-hot or soft targets (mixup's mixed targets);
 * - same rank with last axis 1 while C > 1 (e.g. masks [N,H,W,1]): class indices.
 */
export function classTargets(loss: string, yTrue: tf.Tensor, yPred: tf.Tensor): ClassTargets {
  const pShape = yPred.shape;
  const lead = pShape.slice(0, -1);
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (same(yTrue.shape, lead)) return { kind: 'index', labels: tf.cast(yTrue, 'float32') };
  if (same(yTrue.shape, pShape)) return { kind: 'soft', probs: tf.cast(yTrue, 'float32') };
  if (same(yTrue.shape, [...lead, 1]) && pShape[pShape.length - 1] > 1) {
    return { kind: 'index', labels: tf.reshape(tf.cast(yTrue, 'float32'), lead) };
  }
  return lossError(LossErrorCodes.SHAPE_MISMATCH,
    `Loss '${loss}': targets [${yTrue.shape}] do not fit predictions [${pShape}]. Pass class indices [${lead}] or targets shaped [${pShape}].`,
    { argument: 'yTrue', yTrue: yTrue.shape, yPred: pShape });
}

/** Binary targets must have the predictions' shape (or lack only a trailing axis of 1). */
export function binaryTargets(loss: string, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const t = tf.cast(yTrue, 'float32');
  if (yTrue.size === yPred.size && (yTrue.rank === yPred.rank || yTrue.rank + 1 === yPred.rank)) {
    const ok = yTrue.shape.every((d, i) => d === yPred.shape[i]);
    if (ok) return yTrue.rank === yPred.rank ? t : tf.reshape(t, yPred.shape);
  }
  return lossError(LossErrorCodes.SHAPE_MISMATCH,
    `Loss '${loss}': targets [${yTrue.shape}] do not match predictions [${yPred.shape}]; binary targets must have the predictions' shape.`,
    { argument: 'yTrue', yTrue: yTrue.shape, yPred: yPred.shape });
}
