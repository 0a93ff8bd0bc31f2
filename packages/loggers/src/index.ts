// Public surface of @kiln/loggers: an explicit list of named exports.
export {};
