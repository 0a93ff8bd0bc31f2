// Public surface of @kiln/plugin-model-chexnet: an explicit list of named exports.
export {};
