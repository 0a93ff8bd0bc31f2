// Public surface of @kiln/plugin-model-unet: an explicit list of named exports.
export { modelUnetPlugin as default, modelUnetPlugin } from './plugin.js';
export { unetFactory, unetClassicFactory } from './factory.js';
export { buildUnet, buildUnetFromConfig, checkUnetInput, type UnetInputShape } from './unet.js';
export { unetOptionsSchema, resolveUnetConfig, UNET_VARIANTS, type UnetOptions, type UnetConfig } from './options.js';
export { UnetErrorCodes } from './errors.js';
