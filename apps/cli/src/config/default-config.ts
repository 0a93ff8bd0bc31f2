import type { RunConfigInput } from './schema.js';

/**
 * The embedded default run (`kiln train` with no config): a small UNet learns to segment the
 * synthetic shapes set on the best backend available (wasm on a machine without native TensorFlow).
 * Sized to finish in under two minutes on two CPU cores.
 */
export const DEFAULT_CONFIG: RunConfigInput = {
  name: 'shapes-unet',
  seed: 42,
  backend: 'auto',
  data: { name: 'shapes', task: 'segmentation', size: 384, valSize: 96, imageSize: 64, batchSize: 16 },
  model: { name: 'unet', depth: 3, baseFilters: 8 },
  loss: { name: 'bce-dice' },
  metrics: ['dice'],
  optimizer: { name: 'adam', lr: 3e-3 },
  schedule: { name: 'cosine' },
  trainer: { maxEpochs: 6, logEveryNSteps: 10, numSanityValSteps: 0 },
  loggers: ['jsonl'],
};
