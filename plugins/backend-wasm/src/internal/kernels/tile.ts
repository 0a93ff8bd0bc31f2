import type * as tf from '@tensorflow/tfjs-core';
import { type HeapArray, heap, stridesOf, wasmBackend } from '../heap.js';
import type { KernelArgs } from './util.js';

/**
 * Tile as block copies: each input row is copied once and then doubled in place with
 * `copyWithin` (memcpy speed), innermost dimension first. Stock wasm Tile walks every output
 * element with index arithmetic (batch norm's backward tiles [1,1,1,C] to the full activation).
 */
export function tile({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(b);
  const x = inputs['x']!;
  const reps = (attrs as { reps: number[] }).reps;
  const inShape = x.shape, rank = inShape.length;
  const outShape = inShape.map((d, i) => d * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  const size = outShape.reduce((a, d) => a * d, 1);
  if (size === 0) return out;
  const src = heap(backend, x), dst = heap(backend, out);
  if (rank === 0) { dst[0] = src[0]; return out; }
  const inStrides = stridesOf(inShape), outStrides = stridesOf(outShape);
  const fill = (dim: number, srcOff: number, dstOff: number): void => {
    const n = inShape[dim];
    if (dim === rank - 1) {
      dst.set((src as HeapArray).subarray(srcOff, srcOff + n), dstOff);
    } else {
      for (let i = 0; i < n; i++) fill(dim + 1, srcOff + i * inStrides[dim], dstOff + i * outStrides[dim]);
    }
    const block = n * outStrides[dim];
    let done = block;
    const total = block * reps[dim];
    while (done < total) {
      const len = Math.min(done, total - done);
      dst.copyWithin(dstOff + done, dstOff, dstOff + len);
      done += len;
    }
  };
  fill(0, 0, 0);
  return out;
}
