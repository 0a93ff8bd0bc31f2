import * as tf from '@tensorflow/tfjs-core';
import { type HeapArray, heap, stridesOf, wasmBackend } from '../heap.js';
import type { KernelArgs } from './util.js';

/**
 * Copies the box `begin`/`size` of `src` (shape `shape`) into `dst` at `dstOff`, laid out
 * densely, as runs of contiguous memory (the trailing full dimensions merged into one run).
 * Returns the number of elements written.
 */
export function copyBox(src: HeapArray, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: HeapArray, dstOff: number): number {
  const rank = shape.length;
  if (rank === 0) { dst[dstOff] = src[0]; return 1; }
  const strides = stridesOf(shape);
  let k = rank - 1;
  while (k > 0 && size[k] === shape[k]) k--;
  const run = size[k] * strides[k];
  let srcBase = 0;
  for (let d = 0; d < rank; d++) srcBase += begin[d] * strides[d];
  const total = size.reduce((a, d) => a * d, 1);
  if (total === 0) return 0;
  const idx = new Array<number>(k).fill(0);
  let off = dstOff;
  for (;;) {
    let s = srcBase;
    for (let d = 0; d < k; d++) s += idx[d] * strides[d];
    if (run >= 32) dst.set(src.subarray(s, s + run), off);
    else for (let j = 0; j < run; j++) dst[off + j] = src[s + j];
    off += run;
    let d = k - 1;
    while (d >= 0 && ++idx[d] === size[d]) idx[d--] = 0;
    if (d < 0) break;
  }
  return total;
}

/** Slice as block copies (stock wasm copies element by element unless the slice is contiguous). */
export function slice({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(b);
  const x = inputs['x']!;
  const a = attrs as { begin: number | number[]; size: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, a.begin, a.size);
  const out = backend.makeOutput(size, x.dtype);
  copyBox(heap(backend, x), x.shape, begin, size, heap(backend, out), 0);
  return out;
}

/** SplitV as one block-copying slice per output (batch norm–free concat gradients in UNets). */
export function splitV({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo[] {
  const backend = wasmBackend(b);
  const x = inputs['x']!;
  const a = attrs as { numOrSizeSplits: number | number[]; axis: number };
  const axis = tf.util.parseAxisParam(a.axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, a.numOrSizeSplits, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[axis] = s;
    const out = backend.makeOutput(size, x.dtype);
    copyBox(heap(backend, x), x.shape, begin, size, heap(backend, out), 0);
    begin[axis] += s;
    return out;
  });
}

/** Concat as interleaved block copies along `axis` (falls back to stock for mixed dtypes). */
export const makeConcat = (stock: tf.KernelFunc): tf.KernelFunc => (args) => {
  const backend = wasmBackend(args.backend);
  const xs = Object.values(args.inputs).filter((t): t is tf.TensorInfo => t != null);
  const dtype = xs[0]?.dtype;
  if (!xs.length || xs.some((t) => t.dtype !== dtype)) return stock(args);
  const axis = tf.util.parseAxisParam((args.attrs as { axis: number }).axis, xs[0].shape)[0];
  const outShape = tf.backend_util.computeOutShape(xs.map((t) => t.shape), axis);
  const out = backend.makeOutput(outShape, dtype);
  const dst = heap(backend, out);
  const outer = outShape.slice(0, axis).reduce((p, d) => p * d, 1);
  const runs = xs.map((t) => t.shape.slice(axis).reduce((p, d) => p * d, 1));
  const srcs = xs.map((t) => heap(backend, t));
  let off = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < xs.length; i++) {
      const run = runs[i], s = o * run;
      if (run >= 32) dst.set(srcs[i].subarray(s, s + run), off);
      else for (let j = 0; j < run; j++) dst[off + j] = srcs[i][s + j];
      off += run;
    }
  }
  return out;
};
