// Public surface of @kiln/losses: an explicit list of named exports.
export { LossErrorCodes } from './errors.js';
export { CrossEntropyLoss, PROB_EPSILON, type CrossEntropyOptions } from './cross-entropy.js';
export { BinaryCrossEntropyLoss, type BinaryCrossEntropyOptions } from './binary-cross-entropy.js';
export { DiceLoss, TverskyLoss, type DiceLossOptions, type TverskyLossOptions } from './dice.js';
export { FocalLoss, type FocalLossOptions } from './focal.js';
export { WeightedSumLoss, type WeightedLoss } from './weighted-sum.js';
export { balancedClassWeights, countLabels, resolveClassWeights, type ClassWeights, type UnknownClass } from './class-weights.js';
export type { Reduction } from './internal/reduction.js';
export { lossFactories, lossesPlugin } from './plugin.js';
export { lossesPlugin as default } from './plugin.js';
