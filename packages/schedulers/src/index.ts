// Public surface of @kiln/schedulers: an explicit list of named exports.
export {};
