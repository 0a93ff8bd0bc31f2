// Switches the wasm kernel set between Kiln's and stock-wasm-plus-cpu-forwarding (the baseline).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { wasmBackend } from '../dist/index.js';
import { installKilnKernels, installStockWithCpuForwarding } from '../dist/internal/registry.js';

export async function setKernelSet(set) {
  await wasmBackend.activate();
  if (set === 'stock') installStockWithCpuForwarding();
  else installKilnKernels();
}
