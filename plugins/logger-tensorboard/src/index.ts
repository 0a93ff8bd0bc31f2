// Public surface of @kiln/plugin-logger-tensorboard: an explicit list of named exports.
export {};
