import { KilnError, routeBatchNormTraining, routeConvInputGradients } from '@kiln/core-trainer';
import { WasmErrorCodes } from './errors.js';
import { installWasmGradients, setFastGradients } from './internal/gradients.js';
import { ADDED_KERNELS, REPLACED_KERNELS, installKilnKernels, installStockWithCpuForwarding } from './internal/registry.js';

/** The kernels stock wasm lacks and Kiln adds (training conv nets needs them). */
export const WASM_TRAINING_KERNELS: readonly string[] = Object.freeze(Object.keys(ADDED_KERNELS));
/** The stock wasm kernels Kiln replaces with faster ones. */
export const WASM_REPLACED_KERNELS: readonly string[] = Object.freeze(Object.keys(REPLACED_KERNELS));

/**
 * Loads @tensorflow/tfjs-backend-wasm (which registers the stock wasm kernels) and registers
 * Kiln's training kernels over them; also routes the gradients of FusedBatchNorm, Mean and Sum
 * through fused wasm-only paths (other backends keep tfjs's own). Idempotent: a second call
 * changes nothing. It does not select the backend; `wasmBackend.activate()` does both.
 * @example await registerWasmTrainingKernels(); await tf.setBackend('wasm');
 * @returns the kernel names registered by this call (empty when already done)
 */
export async function registerWasmTrainingKernels(): Promise<string[]> {
  await importWasm();
  const changed = installKilnKernels();
  installWasmGradients();
  // tfjs-layers is an optional peer: without it there are no layers models to route.
  const layers = await import('@tensorflow/tfjs-layers').catch(() => undefined);
  if (layers) {
    routeBatchNormTraining(layers);
    routeConvInputGradients(layers);
  }
  return changed;
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

/**
 * For benchmarks: `'stock-with-cpu-forwarding'` puts the stock wasm kernels and tfjs's own
 * gradients back and forwards the kernels stock wasm lacks to the cpu backend (the baseline Kiln
 * is measured against); `'kiln'` restores Kiln's kernels and gradient fast paths. Call after `wasmBackend.activate()`; the cpu backend must be importable.
 * @example await wasmBackend.activate(); await setWasmKernelSet('stock-with-cpu-forwarding');
 */
export async function setWasmKernelSet(set: 'kiln' | 'stock-with-cpu-forwarding'): Promise<void> {
  await importWasm();
  setFastGradients(set === 'kiln');
  if (set === 'kiln') {
    installKilnKernels();
    installWasmGradients();
    return;
  }
  await import('@tensorflow/tfjs-backend-cpu');
  installStockWithCpuForwarding();
}
