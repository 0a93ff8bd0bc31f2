// Optimizers and gradient clipping of @kiln/core-trainer: the package index re-exports these.
export { Adam, type AdamOptions } from './adam.js';
export { Sgd, Rmsprop, type SgdOptions, type RmspropOptions } from './sgd.js';
export { SlotOptimizer, type UpdateContext } from './base.js';
export { clipByGlobalNorm, clipByValue, totalNorm, type NormType } from './clip.js';
export { OptimErrorCodes } from './errors.js';
export { optimizerFactories, withDefaultWeightDecay } from './factories.js';
