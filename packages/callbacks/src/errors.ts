import type { KilnErrorCode } from '@kiln/core-trainer';

/** Codes owned by @kiln/callbacks. */
export const CallbackErrorCodes = {
  OPTIONS_INVALID: 'KILN_CALLBACK_OPTIONS_INVALID', // a callback option has an impossible value (named in the message): fix that option
  STATE_INVALID: 'KILN_CALLBACK_STATE_INVALID', // a checkpoint's saved callback state does not fit this callback: resume with the same callback options or drop the state
  TEMPLATE_FIELD: 'KILN_CALLBACK_TEMPLATE_FIELD', // a checkpoint filename template names a field that is not logged or is malformed: use epoch, step or a logged metric
  NAN_DETECTED: 'KILN_CALLBACK_NAN_DETECTED', // NaNGuard saw a NaN/Inf loss, metric or weight: lower the LR, clip gradients or check the data; the last good checkpoint is kept
  TENSOR_LEAK: 'KILN_CALLBACK_TENSOR_LEAK', // TensorLeakGuard saw tf.memory().numTensors grow step after step in the named phase: wrap that code in tf.tidy or dispose what it creates
} as const satisfies Record<string, KilnErrorCode>;
