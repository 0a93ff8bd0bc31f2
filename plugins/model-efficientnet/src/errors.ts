import type { KilnErrorCode } from '@kiln/core-trainer';

/** Codes thrown by @kiln/plugin-model-efficientnet. */
export const EfficientNetErrorCodes = {
  UNKNOWN_VARIANT: 'KILN_MODEL_UNKNOWN_VARIANT', // `variant` is not one of b0…b7: use one of the listed variants
  INPUT_TOO_SMALL: 'KILN_MODEL_INPUT_TOO_SMALL', // the input is smaller than 32×32 pixels, the minimum the network's five stride-2 stages accept: resize the input
  OPTIONS_INVALID: 'KILN_MODEL_OPTIONS_INVALID', // an option has the wrong type or range: fix the named option
} as const satisfies Record<string, KilnErrorCode>;
