// Public surface of @kiln/plugin-backend-native: an explicit list of named exports.
export {};
