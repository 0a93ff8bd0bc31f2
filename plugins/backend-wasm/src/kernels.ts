import { KilnError } from '@kiln/core-trainer';
import { WasmErrorCodes } from './errors.js';
import { KILN_WASM_KERNELS, installKilnKernels } from './internal/registry.js';

/** The tfjs kernel names Kiln adds to or replaces in the wasm backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = Object.freeze(Object.keys(KILN_WASM_KERNELS));

/**
 * Loads @tensorflow/tfjs-backend-wasm (which registers the stock wasm kernels) and registers
 * Kiln's training kernels over them. Idempotent: a second call changes nothing. It does not
 * select the backend; `wasmBackend.activate()` does both.
 * @example await registerWasmTrainingKernels(); await tf.setBackend('wasm');
 * @returns the kernel names registered by this call (empty when already done)
 */
export async function registerWasmTrainingKernels(): Promise<string[]> {
  await importWasm();
  return installKilnKernels();
}

/** Imports the wasm backend package, mapping a missing package to KILN_WASM_UNAVAILABLE. */
export async function importWasm(): Promise<typeof import('@tensorflow/tfjs-backend-wasm')> {
  try {
    return await import('@tensorflow/tfjs-backend-wasm');
  } catch (cause) {
    throw new KilnError(WasmErrorCodes.WASM_UNAVAILABLE,
      `Cannot load @tensorflow/tfjs-backend-wasm (${(cause as Error).message}). Run: npm install @tensorflow/tfjs-backend-wasm@^4.22.0`,
      { cause });
  }
}
