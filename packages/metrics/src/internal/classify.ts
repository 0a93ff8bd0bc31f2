import * as tf from '@tensorflow/tfjs-core';
import { MetricErrorCodes, metricError } from '../errors.js';

export interface ThresholdOptions {
  /** Probability at or above which a binary prediction is positive. Default 0.5. */
  readonly threshold?: number;
  /** Predictions are logits: the threshold is applied to sigmoid(x) (argmax is unaffected). */
  readonly fromLogits?: boolean;
}

/** Hard predictions and targets, flattened: `pred` int32 [M], `truth` float32 [M] (not range-checked). */
export interface HardLabels {
  readonly pred: tf.Tensor1D;
  readonly truth: tf.Tensor1D;
  readonly numClasses: number;
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

export function checkThreshold(metric: string, threshold = 0.5): number {
  if (!(threshold > 0 && threshold < 1)) {
    metricError(MetricErrorCodes.INVALID_OPTION, `Metric '${metric}': threshold = ${threshold} must be in (0, 1).`, { argument: 'threshold', value: threshold, validRange: '(0, 1)' });
  }
  return threshold;
}

/** Threshold on the scale of the predictions (a logit when `fromLogits`). */
export function scoreThreshold(o: ThresholdOptions): number {
  const t = o.threshold ?? 0.5;
  return o.fromLogits ? Math.log(t / (1 - t)) : t;
}

/** True when `yPred` holds one score per element (binary): last axis 1, or rank 1. */
export function isBinary(yPred: tf.Tensor): boolean {
  return yPred.rank === 1 || yPred.shape[yPred.rank - 1] === 1;
}

/**
 * Binary ([N], [N,1], [N,H,W,1]: thresholded) or multi-class ([..., C]: argmax) predictions, with
 * targets as indices [...] / [..., 1] or one-hot/soft [..., C] (argmax) — binary targets ≥ 0.5 are positive.
 */
export function hardLabels(metric: string, yTrue: tf.Tensor, yPred: tf.Tensor, o: ThresholdOptions): HardLabels {
  if (isBinary(yPred)) {
    if (yTrue.size !== yPred.size) {
      metricError(MetricErrorCodes.SHAPE_MISMATCH, `Metric '${metric}': binary targets [${yTrue.shape}] do not match predictions [${yPred.shape}].`,
        { argument: 'yTrue', yTrue: yTrue.shape, yPred: yPred.shape });
    }
    const pred = tf.cast(tf.greaterEqual(tf.reshape(yPred, [-1]), scoreThreshold(o)), 'int32') as tf.Tensor1D;
    const t = tf.reshape(tf.cast(yTrue, 'float32'), [-1]);
    // Targets must be 0/1; soft targets are rounded at 0.5, anything outside [0, 1] stays invalid.
    const truth = tf.where(tf.logicalAnd(tf.greaterEqual(t, 0), tf.lessEqual(t, 1)), tf.cast(tf.greaterEqual(t, 0.5), 'float32'), t) as tf.Tensor1D;
    return { pred, truth, numClasses: 2 };
  }
  const c = yPred.shape[yPred.rank - 1];
  const lead = yPred.shape.slice(0, -1);
  const pred = tf.reshape(tf.argMax(yPred, -1), [-1]) as tf.Tensor1D;
  let truth: tf.Tensor;
  if (same(yTrue.shape, lead) || same(yTrue.shape, [...lead, 1])) truth = tf.reshape(tf.cast(yTrue, 'float32'), [-1]);
  else if (same(yTrue.shape, yPred.shape)) truth = tf.cast(tf.reshape(tf.argMax(yTrue, -1), [-1]), 'float32');
  else {
    return metricError(MetricErrorCodes.SHAPE_MISMATCH,
      `Metric '${metric}': targets [${yTrue.shape}] do not fit predictions [${yPred.shape}]. Pass class indices [${lead}] or one-hot targets [${yPred.shape}].`,
      { argument: 'yTrue', yTrue: yTrue.shape, yPred: yPred.shape });
  }
  return { pred, truth: truth as tf.Tensor1D, numClasses: c };
}

/** Count of targets that are not whole numbers in [0, numClasses). */
export function countInvalid(truth: tf.Tensor, numClasses: number): tf.Tensor {
  const ok = tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(truth, 0), tf.less(truth, numClasses)), tf.equal(truth, tf.round(truth)));
  return tf.sum(tf.cast(tf.logicalNot(ok), 'float32'));
}

/** Count of NaN/±Inf predictions. */
export function countNonFinite(x: tf.Tensor): tf.Tensor {
  return tf.sum(tf.cast(tf.logicalNot(tf.isFinite(x)), 'float32'));
}

/** Throws the coded error for invalid targets / non-finite predictions counted over the data seen. */
export function assertClean(metric: string, invalidLabels: number, badPredictions: number, validRange: string): void {
  if (badPredictions > 0) {
    metricError(MetricErrorCodes.NAN_PREDICTION, `Metric '${metric}': ${badPredictions} prediction value(s) were NaN or Infinity.`,
      { argument: 'yPred', count: badPredictions });
  }
  if (invalidLabels > 0) {
    metricError(MetricErrorCodes.LABEL_RANGE, `Metric '${metric}': ${invalidLabels} target(s) were outside ${validRange}.`,
      { argument: 'yTrue', count: invalidLabels, validRange });
  }
}
