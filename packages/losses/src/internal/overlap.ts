import * as tf from '@tensorflow/tfjs-core';
import { LossErrorCodes, lossError } from '../errors.js';
import { binaryTargets, classTargets } from './targets.js';
import { countNonFinite, enforce } from './validate.js';

export interface OverlapOptions {
  readonly fromLogits?: boolean;
  readonly perImage?: boolean;
  readonly includeBackground?: boolean;
  /** Check the inputs on this call (the loss's ValidationGate decides). */
  readonly validate?: boolean;
}

/** Soft true positives, false positives and false negatives per class ([C], or [N, C] with `perImage`). */
export interface Overlap { tp: tf.Tensor; fp: tf.Tensor; fn: tf.Tensor }

/**
 * Soft overlap counts of predictions [..., C] with targets. C = 1 is a binary mask (sigmoid on
 * logits); C > 1 is multi-class (softmax on logits) with index or one-hot targets. Sums run over
 * every axis but the last (and the first too unless `perImage`).
 */
export function softOverlap(loss: string, yTrue: tf.Tensor, yPred: tf.Tensor, o: OverlapOptions): Overlap {
  const c = yPred.shape[yPred.rank - 1];
  if (yPred.rank < 2) {
    lossError(LossErrorCodes.SHAPE_MISMATCH, `Loss '${loss}': predictions [${yPred.shape}] need a class axis last, e.g. [N,H,W,1] or [N,H,W,C].`,
      { argument: 'yPred', yPred: yPred.shape });
  }
  const p = o.fromLogits ? (c === 1 ? tf.sigmoid(yPred) : tf.softmax(yPred)) : yPred;
  let t: tf.Tensor;
  const checks = o.validate !== false;
  if (c === 1) {
    t = binaryTargets(loss, yTrue, yPred);
    if (checks) enforce(loss, { badPredictions: countNonFinite(yPred), labelMin: tf.min(t), labelMax: tf.max(t) }, [0, 1], 'mask values');
  } else {
    const ct = classTargets(loss, yTrue, yPred);
    if (ct.kind === 'soft') {
      t = ct.probs;
      if (checks) enforce(loss, { badPredictions: countNonFinite(yPred), labelMin: tf.min(t), labelMax: tf.max(t) }, [0, 1], 'soft targets');
    } else {
      if (checks) {
        enforce(loss, {
          badPredictions: countNonFinite(yPred), labelMin: tf.min(ct.labels), labelMax: tf.max(ct.labels),
          nonInteger: tf.sum(tf.cast(tf.notEqual(ct.labels, tf.round(ct.labels)), 'float32')),
        }, [0, c - 1], 'class indices');
      }
      t = tf.cast(tf.oneHot(tf.cast(ct.labels, 'int32'), c), 'float32');
    }
  }
  let pp = p;
  if (o.includeBackground === false && c > 1) {
    pp = tf.slice(p, Array(p.rank).fill(0).map((_, i) => (i === p.rank - 1 ? 1 : 0)), p.shape.map((d, i) => (i === p.rank - 1 ? d - 1 : -1)));
    t = tf.slice(t, Array(t.rank).fill(0).map((_, i) => (i === t.rank - 1 ? 1 : 0)), t.shape.map((d, i) => (i === t.rank - 1 ? d - 1 : -1)));
  }
  const first = o.perImage ? 1 : 0;
  const axes = Array.from({ length: pp.rank - 1 - first }, (_, i) => i + first);
  const sum = (x: tf.Tensor) => (axes.length ? tf.sum(x, axes) : x);
  const tp = sum(tf.mul(pp, t));
  return { tp, fp: tf.sub(sum(pp), tp), fn: tf.sub(sum(t), tp) };
}
