import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter, conv2dBackpropInput } from './kernels/conv2d-grads.js';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './kernels/depthwise-grads.js';

/** The kernels Kiln adds to (or replaces in) the wasm backend, by tfjs kernel name. */
export const KILN_WASM_KERNELS: Readonly<Record<string, tf.KernelFunc>> = Object.freeze({
  Conv2DBackpropFilter: conv2dBackpropFilter as tf.KernelFunc,
  Conv2DBackpropInput: conv2dBackpropInput as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput as tf.KernelFunc,
});

/** The stock wasm kernels Kiln replaced, kept so a benchmark can put them back. */
const stock = new Map<string, tf.KernelConfig>();

/** Replaces one wasm kernel, remembering the stock one; a no-op when `func` is already registered. */
export function setWasmKernel(name: string, func: tf.KernelFunc): boolean {
  const current = tf.getKernel(name, 'wasm');
  if (current?.kernelFunc === func) return false;
  if (current) {
    if (!stock.has(name) && !Object.values(KILN_WASM_KERNELS).includes(current.kernelFunc)) stock.set(name, current);
    tf.unregisterKernel(name, 'wasm');
  }
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: func });
  return true;
}

/** Registers every Kiln wasm kernel (idempotent). Returns the names that changed. */
export function installKilnKernels(): string[] {
  return Object.entries(KILN_WASM_KERNELS).filter(([name, f]) => setWasmKernel(name, f)).map(([name]) => name);
}

/**
 * Baseline for benchmarks: stock wasm kernels back in place and each kernel stock wasm lacks
 * forwarded to the cpu backend (data copied to JS, computed there, copied back).
 */
export function installStockWithCpuForwarding(): void {
  for (const name of Object.keys(KILN_WASM_KERNELS)) {
    const original = stock.get(name);
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(original ?? { kernelName: name, backendName: 'wasm', kernelFunc: forwardToCpu(name) });
  }
}

function forwardToCpu(name: string): tf.KernelFunc {
  const cpuKernel = tf.getKernel(name, 'cpu');
  if (!cpuKernel) throw new Error(`No cpu kernel '${name}' to forward to: import @tensorflow/tfjs-backend-cpu first.`);
  return ({ inputs, attrs, backend: b }) => {
    const backend = b as tf.KernelBackend;
    const cpu = tf.findBackend('cpu')!;
    const cpuInputs: Record<string, tf.TensorInfo> = {};
    for (const [k, t] of Object.entries(inputs)) {
      if (!t) continue;
      cpuInputs[k] = { dataId: cpu.write(backend.readSync(t.dataId) as tf.backend_util.BackendValues, t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
    }
    const out = cpuKernel.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu }) as tf.TensorInfo;
    const values = cpu.readSync(out.dataId) as tf.backend_util.BackendValues;
    for (const t of [...Object.values(cpuInputs), out]) cpu.disposeData(t.dataId, true);
    return { dataId: backend.write(values, out.shape, out.dtype), shape: out.shape, dtype: out.dtype };
  };
}
