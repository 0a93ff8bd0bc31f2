// Public surface of @kiln/plugin-backend-wasm: an explicit list of named exports.
export { backendWasmPlugin, backendWasmPlugin as default } from './plugin.js';
export { wasmBackend, cpuBackend, wasmBackendOptions, type WasmBackendOptions } from './providers.js';
export { registerWasmTrainingKernels, setWasmKernelSet, WASM_TRAINING_KERNELS, WASM_REPLACED_KERNELS } from './kernels.js';
export { WasmErrorCodes } from './errors.js';
