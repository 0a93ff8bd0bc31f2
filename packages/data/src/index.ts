// Public surface of @kiln/data: an explicit list of named exports.
export {};
