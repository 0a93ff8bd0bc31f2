import type { KilnErrorCode } from '@kiln/core-trainer';

/** Codes thrown by @kiln/plugin-model-unet. */
export const UnetErrorCodes = {
  INPUT_TOO_SMALL: 'KILN_MODEL_INPUT_TOO_SMALL', // the input height/width is smaller than or not divisible by 2^depth: lower `depth` or resize the input to a multiple of 2^depth
  UNKNOWN_VARIANT: 'KILN_MODEL_UNKNOWN_VARIANT', // `variant` names no known configuration: use one of the listed variants
  CHANNELS_MISMATCH: 'KILN_MODEL_CHANNELS_MISMATCH', // `inChannels` differs from the dataset's channel count: remove the option or convert the images
  OPTIONS_INVALID: 'KILN_MODEL_OPTIONS_INVALID', // an option has the wrong type or range: fix the named option
} as const satisfies Record<string, KilnErrorCode>;
