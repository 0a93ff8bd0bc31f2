import * as tf from '@tensorflow/tfjs-core';
import { heapF32, wasmBackend } from '../heap.js';
import type { KernelArgs } from './util.js';

/**
 * The reduction as [outer, reduced, inner] when the reduced axes are one contiguous run that
 * does not end at the last axis (stock wasm transposes those first); null otherwise.
 */
function plan(shape: readonly number[], axis: number | number[]): { outer: number; mid: number; inner: number; axes: number[] } | null {
  const axes = tf.util.parseAxisParam(axis, [...shape]).sort((a, b) => a - b);
  if (axes.length === 0 || axes[axes.length - 1] === shape.length - 1) return null;
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) return null;
  const prod = (from: number, to: number) => shape.slice(from, to).reduce((a, d) => a * d, 1);
  return { outer: prod(0, axes[0]), mid: prod(axes[0], axes[axes.length - 1] + 1), inner: prod(axes[axes.length - 1] + 1, shape.length), axes };
}

/**
 * dst[o, j] = scale · Σ_m src[o, m, j]: float32 partial sums over blocks of 4 rows, float64
 * accumulators across blocks (so long reductions stay within ~1e-7 relative error).
 */
export function sumMiddle(src: Float32Array, dst: Float32Array, outer: number, mid: number, inner: number, scale: number): void {
  const acc = new Float64Array(inner);
  const m4 = mid - (mid % 4), i2 = 2 * inner, i3 = 3 * inner;
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    const base = o * mid * inner;
    let off = base;
    for (let m = 0; m < m4; m += 4, off += 4 * inner) {
      for (let j = 0; j < inner; j++) acc[j] += (src[off + j] + src[off + inner + j]) + (src[off + i2 + j] + src[off + i3 + j]);
    }
    for (let m = m4; m < mid; m++, off += inner) for (let j = 0; j < inner; j++) acc[j] += src[off + j];
    for (let j = 0; j < inner; j++) dst[o * inner + j] = acc[j] * scale;
  }
}

/**
 * out[o, j] = Σ_m x[o, m, j] with float64 accumulators, streaming x once in memory order.
 * Falls back to the stock kernel unless x is float32 and the plan applies.
 */
function reduceMid(args: KernelArgs, mean: boolean, stock: tf.KernelFunc): tf.TensorInfo | tf.TensorInfo[] {
  const backend = wasmBackend(args.backend);
  const x = args.inputs['x']!;
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  const p = x.dtype === 'float32' ? plan(x.shape, axis) : null;
  if (!p) return stock(args);
  const outShape = keepDims ? x.shape.map((d, i) => (p.axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !p.axes.includes(i));
  const out = backend.makeOutput(outShape, 'float32');
  const src = heapF32(backend, x), dst = heapF32(backend, out);
  sumMiddle(src, dst, p.outer, p.mid, p.inner, mean ? 1 / p.mid : 1);
  return out;
}

/** Sum whose reduced axes are leading or middle axes, without the stock transpose. */
export const makeSum = (stock: tf.KernelFunc): tf.KernelFunc => (args) => reduceMid(args, false, stock);
/** Mean, likewise (batch norm's moments over [N, H, W]). */
export const makeMean = (stock: tf.KernelFunc): tf.KernelFunc => (args) => reduceMid(args, true, stock);
