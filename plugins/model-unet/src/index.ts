// Public surface of @kiln/plugin-model-unet: an explicit list of named exports.
export {};
