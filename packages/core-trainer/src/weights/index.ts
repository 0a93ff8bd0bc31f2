// Backend-agnostic model weight loading (tfjs and Keras .h5), freezing by pattern or stage, and model description.
export { WeightsErrorCodes } from './errors.js';
export { sizeOf, type WeightSet, type WeightData, type WeightDType } from './weight-set.js';
export { readTfjsWeights } from './read-tfjs.js';
export { readKerasWeights } from './read-keras.js';
export { readWeights, loadWeights } from './load.js';
export { applyWeights, type LoadWeightsOptions, type WeightLoadReport, type SkippedWeight } from './apply.js';
export {
  patternToRegExp, getModelMetadata, getModelStages, stageOfLayer, stagePattern, selectLayers, headLayers,
  type LayerPattern, type LayerSelector, type KilnModelMetadata,
} from './stages.js';
export { setTrainable, freezeLayers, unfreezeLayers, freezeBackbone, headParamGroups } from './freeze.js';
export { describeModel, formatModelDescription, type ModelDescription, type LayerDescription, type ShapeDesc } from './describe.js';
