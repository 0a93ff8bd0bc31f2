// Public surface of @kiln/plugin-model-efficientnet: an explicit list of named exports.
export { modelEfficientNetPlugin as default, modelEfficientNetPlugin } from './plugin.js';
export { efficientNetFactory, efficientNetVariantFactory, activationForTask } from './factory.js';
export { buildEfficientNet, buildEfficientNetFromConfig, EFFICIENTNET_STAGES } from './efficientnet.js';
export { efficientNetOptionsSchema, resolveEfficientNetConfig, type EfficientNetOptions, type EfficientNetConfig } from './options.js';
export {
  EFFICIENTNET_VARIANTS, B0_STAGES, roundFilters, roundRepeats,
  type EfficientNetVariant, type EfficientNetVariantName, type StageArgs,
} from './variants.js';
export { KerasNormalization, registerEfficientNetLayers } from './normalization-layer.js';
export { EfficientNetErrorCodes } from './errors.js';
