// Public surface of @kiln/plugin-backend-wasm: an explicit list of named exports.
export {};
