// Public surface of @kiln/plugin-logger-mlflow: an explicit list of named exports.
export {};
