// Public surface of @kiln/losses: an explicit list of named exports.
export {};
