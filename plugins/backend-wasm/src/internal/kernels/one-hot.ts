import type * as tf from '@tensorflow/tfjs-core';
import { heap, wasmBackend } from '../heap.js';
import type { KernelArgs } from './util.js';

/**
 * OneHot that honours `dtype`, `onValue` and `offValue`. Stock wasm 4.22 always writes int32
 * bits (and truncates on/off values to integers), so `tf.oneHot(i, n, 1, 0, 'float32')` came out
 * as denormal garbage on wasm — which broke every metric and loss built on float one-hots.
 * Int32 one-hots with integer on/off values still go to the stock kernel.
 */
export const makeOneHot = (stock: tf.KernelFunc): tf.KernelFunc => (args) => {
  const { inputs, backend: b, attrs } = args as KernelArgs;
  const { depth, onValue, offValue, dtype } = attrs as { depth: number; onValue: number; offValue: number; dtype: tf.DataType };
  if (dtype === 'int32' && Number.isInteger(onValue) && Number.isInteger(offValue)) return stock(args);
  const backend = wasmBackend(b);
  const indices = inputs['indices']!;
  const out = backend.makeOutput([...indices.shape, depth], dtype);
  const idx = heap(backend, indices);
  const dst = heap(backend, out);
  dst.fill(offValue);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i];
    if (k >= 0 && k < depth) dst[i * depth + k] = onValue;
  }
  return out;
};
