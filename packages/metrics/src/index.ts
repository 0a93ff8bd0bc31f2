// Public surface of @kiln/metrics: an explicit list of named exports.
export {};
