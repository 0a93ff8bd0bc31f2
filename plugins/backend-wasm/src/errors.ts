import type { KilnErrorCode } from '@kiln/core-trainer';

/** Codes owned by @kiln/plugin-backend-wasm. */
export const WasmErrorCodes = {
  WASM_UNAVAILABLE: 'KILN_WASM_UNAVAILABLE', // @tensorflow/tfjs-backend-wasm (or its .wasm file) cannot be loaded: run `npm install @tensorflow/tfjs-backend-wasm@^4.22.0`
  WASM_INIT_FAILED: 'KILN_WASM_INIT_FAILED', // tf.setBackend('wasm') failed (WebAssembly disabled, memory limit): see the cause, or use `backend: cpu`
  WASM_OPTIONS_INVALID: 'KILN_WASM_OPTIONS_INVALID', // the wasm backend's options are wrong (e.g. threads: 0): fix the field named in the message
  WASM_UNSUPPORTED_ATTR: 'KILN_WASM_UNSUPPORTED_ATTR', // a Kiln wasm kernel got an attribute it does not implement (e.g. NCDHW): use channelsLast or the cpu backend
  CPU_UNAVAILABLE: 'KILN_CPU_UNAVAILABLE', // @tensorflow/tfjs-backend-cpu cannot be loaded: run `npm install @tensorflow/tfjs-backend-cpu@^4.22.0`
} as const satisfies Record<string, KilnErrorCode>;
