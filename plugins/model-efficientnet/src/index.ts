// Public surface of @kiln/plugin-model-efficientnet: an explicit list of named exports.
export {};
