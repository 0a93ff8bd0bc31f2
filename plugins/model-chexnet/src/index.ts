// Public surface of @kiln/plugin-model-chexnet: an explicit list of named exports.
export { modelCheXNetPlugin as default, modelCheXNetPlugin } from './plugin.js';
export { cheXNetFactory, denseNetFactory, resNet50Factory, baselineCnnFactory, activationForTask } from './factories.js';
export { buildCheXNet, cheXNetOptionsSchema, CHEXNET_LABELS, type CheXNetOptions } from './chexnet.js';
export {
  buildDenseNet, denseNetOptionsSchema, denseNetVariant, DENSENET_VARIANTS, DENSENET_STAGES,
  type DenseNetOptions, type DenseNetVariant,
} from './densenet.js';
export { buildResNet50, resNetOptionsSchema, RESNET_STAGES, type ResNetOptions } from './resnet.js';
export { buildBaselineCnn, baselineCnnOptionsSchema, type BaselineCnnOptions } from './baseline-cnn.js';
export { ChexnetErrorCodes } from './errors.js';
