import { KilnError, type KilnErrorCode } from '@kiln/core-trainer';

/** Error codes owned by @kiln/losses. */
export const LossErrorCodes = {
  REDUCTION_UNKNOWN: 'KILN_LOSS_REDUCTION_UNKNOWN', // a loss got a reduction other than 'mean', 'sum' or 'none': use one of those
  SHAPE_MISMATCH: 'KILN_LOSS_SHAPE_MISMATCH', // targets and predictions have incompatible shapes: pass class indices [N,...] or targets shaped like the predictions
  LABEL_RANGE: 'KILN_LOSS_LABEL_RANGE', // a class index is outside [0, numClasses) (and is not the ignore index), or a binary target is outside [0, 1]: fix the labels or numClasses
  WEIGHTS_LENGTH: 'KILN_LOSS_WEIGHTS_LENGTH', // classWeights / posWeight has a different length than the number of classes: give one weight per class
  INVALID_OPTION: 'KILN_LOSS_INVALID_OPTION', // an option is out of its valid range (e.g. labelSmoothing outside [0, 1], negative weights, gamma < 0): the message names the option and range
  NAN_PREDICTION: 'KILN_LOSS_NAN_PREDICTION', // the model's predictions contain NaN or Infinity: lower the learning rate, enable gradient clipping, or check the inputs
  BALANCED_NEEDS_COUNTS: 'KILN_LOSS_BALANCED_NEEDS_COUNTS', // classWeights 'balanced' was asked without the training set's label counts: pass classCounts (the trainer fills them from the dataset)
} as const satisfies Record<string, KilnErrorCode>;

/** Throws a KilnError with `code`; `details` should name the argument and its valid range. */
export function lossError(code: KilnErrorCode, message: string, details: Record<string, unknown> = {}): never {
  throw new KilnError(code, message, { details });
}
