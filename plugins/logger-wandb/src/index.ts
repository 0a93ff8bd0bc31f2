// Public surface of @kiln/plugin-logger-wandb: an explicit list of named exports.
export {};
