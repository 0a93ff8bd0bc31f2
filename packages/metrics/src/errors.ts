import { KilnError, type KilnErrorCode } from '@kiln/core-trainer';

/** Error codes owned by @kiln/metrics. */
export const MetricErrorCodes = {
  SHAPE_MISMATCH: 'KILN_METRIC_SHAPE_MISMATCH', // targets and predictions have incompatible shapes: pass class indices [N,...] or targets shaped like the predictions
  LABEL_RANGE: 'KILN_METRIC_LABEL_RANGE', // a class index is outside [0, numClasses) or a binary target is not 0/1: fix the labels or numClasses
  NAN_PREDICTION: 'KILN_METRIC_NAN_PREDICTION', // predictions contain NaN or Infinity: the model diverged or the inputs are broken
  INVALID_OPTION: 'KILN_METRIC_INVALID_OPTION', // a metric option is outside its valid range (e.g. topK < 1, threshold outside [0, 1]): the message names it
  STATE_INVALID: 'KILN_METRIC_STATE_INVALID', // loadStateDict got state saved by a different metric or configuration: resume with the same metric options
  EMPTY: 'KILN_METRIC_EMPTY', // compute() was called before any update, or a value is undefined for the data seen (e.g. AUROC with one class only)
} as const satisfies Record<string, KilnErrorCode>;

export function metricError(code: KilnErrorCode, message: string, details: Record<string, unknown> = {}): never {
  throw new KilnError(code, message, { details });
}
