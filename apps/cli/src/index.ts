// Public surface of @kiln/cli: an explicit list of named exports.
export {};
