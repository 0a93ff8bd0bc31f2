import type { KilnErrorCode } from '../errors.js';

/** Codes thrown by the training loop and SupervisedModule (besides the TRAINER_* codes in CoreErrorCodes). */
export const TrainerErrorCodes = {
  OOM: 'KILN_TRAINER_OOM', // a training step ran out of memory even with one sample per micro-batch (or the wasm heap overflowed, which cannot be retried): lower data.imageSize or the model size, or use a backend with more memory
  MIXUP_UNSUPPORTED: 'KILN_TRAINER_MIXUP_UNSUPPORTED', // mixup/cutmix does not fit the batch: mixup on segmentation masks (use mode 'cutmix'), cutmix on inputs that are not NHWC images, or masks whose size differs from the images
} as const satisfies Record<string, KilnErrorCode>;
