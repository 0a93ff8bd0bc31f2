import type * as tf from '@tensorflow/tfjs-core';
import { wasmBackend } from '../heap.js';
import type { KernelArgs } from './util.js';

/** Identity without a copy: the output shares the input's buffer (refcounted), as on the cpu backend. */
export function identity({ inputs, backend: b }: KernelArgs): tf.TensorInfo {
  const x = inputs['x']!;
  wasmBackend(b).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Cast to the dtype a tensor already has is an Identity (tf.moments casts float32 to float32); other casts stay stock. */
export const makeCast = (stock: tf.KernelFunc): tf.KernelFunc => (args) =>
  args.inputs['x']!.dtype === (args.attrs as { dtype: string }).dtype ? identity(args) : stock(args);
