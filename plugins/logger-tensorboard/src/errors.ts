import type { KilnErrorCode } from '@kiln/core-trainer';

/** Error codes owned by @kiln/plugin-logger-tensorboard. */
export const TensorBoardErrorCodes = {
  WRITE: 'KILN_TENSORBOARD_WRITE', // the event file cannot be created or written: check the run directory's permissions and free space
  IMAGE: 'KILN_TENSORBOARD_IMAGE', // logImage got pixels whose length is not height×width×channels, or a bad size: pass HWC uint8 data of 1, 3 or 4 channels
} as const satisfies Record<string, KilnErrorCode>;
