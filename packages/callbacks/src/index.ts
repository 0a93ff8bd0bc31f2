// Public surface of @kiln/callbacks: an explicit list of named exports.
export {};
