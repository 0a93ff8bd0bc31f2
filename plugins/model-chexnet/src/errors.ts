import type { KilnErrorCode } from '@kiln/core-trainer';

/** Codes thrown by @kiln/plugin-model-chexnet. */
export const ChexnetErrorCodes = {
  UNKNOWN_VARIANT: 'KILN_MODEL_UNKNOWN_VARIANT', // `variant` names no known DenseNet depth: use one of the listed variants
  INPUT_TOO_SMALL: 'KILN_MODEL_INPUT_TOO_SMALL', // the input is smaller than the network accepts (32×32 for DenseNet/ResNet, 8×8 for cnn-baseline): resize the input
  OPTIONS_INVALID: 'KILN_MODEL_OPTIONS_INVALID', // an option has the wrong type or range: fix the named option
} as const satisfies Record<string, KilnErrorCode>;
