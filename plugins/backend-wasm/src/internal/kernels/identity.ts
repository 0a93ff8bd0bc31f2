import type * as tf from '@tensorflow/tfjs-core';
import { wasmBackend } from '../heap.js';
import type { KernelArgs } from './util.js';

/** Identity without a copy: the output shares the input's buffer (refcounted), as on the cpu backend. */
export function identity({ inputs, backend: b }: KernelArgs): tf.TensorInfo {
  const x = inputs['x']!;
  wasmBackend(b).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
