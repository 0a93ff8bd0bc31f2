import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter, conv2dBackpropInput } from './kernels/conv2d-grads.js';
import { makeConcat, slice, splitV } from './kernels/copy.js';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './kernels/depthwise-grads.js';
import { identity, makeCast } from './kernels/identity.js';
import { makeBatchMatMul } from './kernels/matmul.js';
import { maxPoolGrad } from './kernels/maxpool-grad.js';
import { makeOneHot } from './kernels/one-hot.js';
import { makeMean, makeSum } from './kernels/reduce.js';
import { tile } from './kernels/tile.js';
import { batchNormTrainKernels } from './kernels/batch-norm-train.js';

type Factory = (stock: tf.KernelFunc) => tf.KernelFunc;
const fixed = (f: unknown): Factory => () => f as tf.KernelFunc;

/** Kernels stock wasm 4.22 lacks: training a conv net needs them. */
export const ADDED_KERNELS: Readonly<Record<string, Factory>> = {
  Conv2DBackpropFilter: fixed(conv2dBackpropFilter),
  DepthwiseConv2dNativeBackpropFilter: fixed(depthwiseBackpropFilter),
  DepthwiseConv2dNativeBackpropInput: fixed(depthwiseBackpropInput),
};

/** Stock wasm kernels Kiln replaces because a training step's profile showed them slow. */
export const REPLACED_KERNELS: Readonly<Record<string, Factory>> = {
  Conv2DBackpropInput: fixed(conv2dBackpropInput),
  Tile: fixed(tile),
  Sum: makeSum,
  Mean: makeMean,
  BatchMatMul: makeBatchMatMul,
  MaxPoolGrad: fixed(maxPoolGrad),
  Identity: fixed(identity),
  Cast: makeCast,
  Slice: fixed(slice),
  SplitV: fixed(splitV),
  Concat: makeConcat,
  OneHot: makeOneHot,
};

const stock = new Map<string, tf.KernelConfig>();
const ours = new Map<string, tf.KernelFunc>();
const unavailable: tf.KernelFunc = () => { throw new Error('kernel not available'); };

function register(name: string, func: tf.KernelFunc, config?: Partial<tf.KernelConfig>): void {
  if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...config, kernelName: name, backendName: 'wasm', kernelFunc: func });
}

/** Registers every Kiln wasm kernel, remembering the stock ones (idempotent). Returns the names that changed. */
export function installKilnKernels(): string[] {
  const changed: string[] = [];
  // Kiln's own fused training batch norm (routed to by @kiln/core-trainer's routeBatchNormTraining).
  for (const [name, func] of batchNormTrainKernels) {
    if (tf.getKernel(name, 'wasm')?.kernelFunc === func) continue;
    register(name, func);
    changed.push(name);
  }
  for (const [name, make] of Object.entries({ ...ADDED_KERNELS, ...REPLACED_KERNELS })) {
    const current = tf.getKernel(name, 'wasm');
    if (current && current.kernelFunc === ours.get(name)) continue;
    if (current && !stock.has(name)) stock.set(name, current);
    const base = stock.get(name);
    const func = ours.get(name) ?? make(base ? (args) => base.kernelFunc(args) : unavailable);
    ours.set(name, func);
    // Keep the stock setup: it binds the wasm function the fallback path calls.
    register(name, func, { setupFunc: base?.setupFunc, disposeFunc: base?.disposeFunc });
    changed.push(name);
  }
  return changed;
}

/**
 * Baseline for benchmarks: the stock wasm kernels back in place and each kernel stock wasm lacks
 * forwarded to the cpu backend (data copied to JS, computed there, copied back).
 */
export function installStockWithCpuForwarding(): void {
  // Without the fused kernels, training batch norm goes back to tfjs-layers' own ops.
  for (const [name] of batchNormTrainKernels) if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  for (const name of [...Object.keys(ADDED_KERNELS), ...Object.keys(REPLACED_KERNELS)]) {
    const original = stock.get(name);
    if (original) register(name, original.kernelFunc, original);
    else register(name, forwardToCpu(name));
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
