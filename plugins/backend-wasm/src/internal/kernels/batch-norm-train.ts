import * as tf from '@tensorflow/tfjs-core';
import { FUSED_BN_RELU_TRAIN, FUSED_BN_RELU_TRAIN_GRAD, FUSED_BN_TRAIN, FUSED_BN_TRAIN_GRAD } from '@kiln/core-trainer';
import { type WasmBackendLike, heapF32, offsetOf, wasmBackend } from '../heap.js';
import { simdFor } from '../simd/index.js';
import type { KernelArgs } from './util.js';

/**
 * Kiln's fused training batch norm (contract in @kiln/core-trainer, `routeBatchNormTraining`) on
 * wasm, as two passes over the data each way instead of tfjs-layers' moments + normalise and
 * their dozen-op gradient. Statistics accumulate in float64 per channel. Reserve tensors:
 * r1 = batch mean, r2 = 1/sqrt(var + ε), r3 unused ([1]). The batch norm + ReLU contract is the
 * same passes with the ReLU applied in the normalising pass, and dy masked by y > 0 in both
 * gradient passes.
 */
export const batchNormTrain = (args: KernelArgs): tf.TensorInfo[] => forward(args, false);
export const batchNormReluTrain = (args: KernelArgs): tf.TensorInfo[] => forward(args, true);
export const batchNormTrainGrad = (args: KernelArgs): tf.TensorInfo[] => backward(args, false);
export const batchNormReluTrainGrad = (args: KernelArgs): tf.TensorInfo[] => backward(args, true);

function forward({ inputs, attrs, backend: b }: KernelArgs, relu: boolean): tf.TensorInfo[] {
  const backend = wasmBackend(b);
  const x = inputs['x']!, scale = inputs['scale']!, offset = inputs['offset']!;
  const eps = (attrs as unknown as { epsilon: number }).epsilon;
  const c = x.shape[3]!, rows = tf.util.sizeFromShape(x.shape) / c;
  const outs = [backend.makeOutput(x.shape, 'float32'), ...[0, 1, 2, 3].map(() => backend.makeOutput([c], 'float32')), backend.makeOutput([1], 'float32')];
  const [yI, meanI, varI, r1I, r2I, r3I] = outs;
  const simd = c % 4 === 0 ? simdFor(backend) : undefined;
  const scratch = simd ? new Scratch(backend, c) : undefined;
  // Views after every allocation: the heap may have grown.
  const xs = heapF32(backend, x), ys = heapF32(backend, yI!), sc = heapF32(backend, scale), of = heapF32(backend, offset);
  let sum: Float64Array, sq: Float64Array;
  if (simd && scratch) {
    simd.channelSums(offsetOf(backend, x), -1, 0, -1, rows, c, scratch.s1, scratch.s2);
    [sum, sq] = scratch.sums();
  } else {
    [sum, sq] = channelSums(xs, undefined, undefined, rows, c);
  }
  const mean = new Float64Array(c), variance = new Float64Array(c), a = new Float32Array(c), k = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    mean[j] = sum[j]! / rows;
    variance[j] = Math.max(0, sq[j]! / rows - mean[j]! * mean[j]!);
    const inv = 1 / Math.sqrt(variance[j]! + eps);
    a[j] = sc[j]! * inv; // y = x·a + k
    k[j] = of[j]! - mean[j]! * sc[j]! * inv;
  }
  if (simd && scratch) {
    scratch.set(0, a);
    scratch.set(1, k);
    simd.channelAffine(offsetOf(backend, x), -1, -1, offsetOf(backend, yI!), rows, c, scratch.f32(0), 0, scratch.f32(1), relu ? 1 : 0);
    scratch.dispose();
  } else {
    for (let r = 0, o = 0; r < rows; r++, o += c) for (let j = 0; j < c; j++) ys[o + j] = xs[o + j]! * a[j]! + k[j]!;
    // ReLU keeps NaN, as tfjs's does.
    if (relu) for (let i = 0; i < ys.length; i++) if (ys[i]! < 0) ys[i] = 0;
  }
  heapF32(backend, meanI!).set(mean);
  heapF32(backend, varI!).set(variance);
  heapF32(backend, r1I!).set(mean);
  heapF32(backend, r2I!).set(variance.map((v) => 1 / Math.sqrt(v + eps)));
  heapF32(backend, r3I!).fill(0);
  return outs;
}

/**
 * dx = scale·invstd·(dy − mean(dy) − x̂·mean(dy·x̂)), dscale = Σ dy·x̂, doffset = Σ dy, with
 * x̂ = (x − mean)·invstd: one pass for the two sums, one for dx. With `relu`, dy counts only where
 * y (the ReLU's output) > 0.
 */
function backward({ inputs, backend: b }: KernelArgs, relu: boolean): tf.TensorInfo[] {
  const backend = wasmBackend(b);
  const x = inputs['x']!, dy = inputs['dy']!, scale = inputs['scale']!, r1 = inputs['r1']!, r2 = inputs['r2']!;
  const y = relu ? inputs['y']! : undefined;
  const c = x.shape[3]!, rows = tf.util.sizeFromShape(x.shape) / c;
  const dxI = backend.makeOutput(x.shape, 'float32'), dsI = backend.makeOutput([c], 'float32'), doI = backend.makeOutput([c], 'float32');
  const simd = c % 4 === 0 ? simdFor(backend) : undefined;
  const scratch = simd ? new Scratch(backend, c) : undefined;
  const xs = heapF32(backend, x), dxs = heapF32(backend, dxI);
  let dys = heapF32(backend, dy);
  if (y && !simd) {
    const ys = heapF32(backend, y);
    dys = dys.map((g, i) => (ys[i]! > 0 ? g : 0));
  }
  const mask = y && simd ? offsetOf(backend, y) : -1;
  const mean = Float64Array.from(heapF32(backend, r1)), inv = Float64Array.from(heapF32(backend, r2)), sc = heapF32(backend, scale);
  let sDy: Float64Array, sDyXc: Float64Array;
  if (simd && scratch) {
    scratch.set(0, Float32Array.from(mean));
    simd.channelSums(offsetOf(backend, dy), offsetOf(backend, x), scratch.f32(0), mask, rows, c, scratch.s1, scratch.s2);
    [sDy, sDyXc] = scratch.sums();
  } else {
    [sDy, sDyXc] = channelSums(dys, xs, Float32Array.from(mean), rows, c);
  }
  // dx = dy·A + x·B + C per channel, from the sums (x̂ = (x − mean)·inv).
  const A = new Float32Array(c), B = new Float32Array(c), C = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const si = sc[j]! * inv[j]!, mDy = sDy[j]! / rows, mDyXhat = (sDyXc[j]! * inv[j]!) / rows;
    A[j] = si;
    B[j] = -si * mDyXhat * inv[j]!;
    C[j] = -si * mDy + si * mDyXhat * inv[j]! * mean[j]!;
  }
  if (simd && scratch) {
    scratch.set(1, A);
    scratch.set(2, B);
    scratch.set(3, C);
    simd.channelAffine(offsetOf(backend, dy), offsetOf(backend, x), mask, offsetOf(backend, dxI), rows, c, scratch.f32(1), scratch.f32(2), scratch.f32(3), 0);
    scratch.dispose();
  } else {
    for (let r = 0, o = 0; r < rows; r++, o += c) for (let j = 0; j < c; j++) dxs[o + j] = dys[o + j]! * A[j]! + xs[o + j]! * B[j]! + C[j]!;
  }
  heapF32(backend, dsI).set(sDyXc.map((v, j) => v * inv[j]!));
  heapF32(backend, doI).set(sDy);
  return [dxI, dsI, doI];
}

/**
 * Per-channel scratch in the wasm heap for the SIMD kernels: two float64[c] sums (zeroed) and four
 * float32[c] vectors. Allocated before the kernel takes its heap views; disposed after the last call.
 */
class Scratch {
  readonly #backend: WasmBackendLike;
  readonly #info: tf.TensorInfo;
  readonly #c: number;
  readonly s1: number;
  readonly s2: number;

  constructor(backend: WasmBackendLike, c: number) {
    this.#backend = backend;
    this.#c = c;
    // 2c float64 + 4c float32 = 8c float32 slots, plus 2 for 8-byte alignment of the float64s.
    this.#info = backend.makeOutput([8 * c + 2], 'float32');
    const at = offsetOf(backend, this.#info);
    this.s1 = at + (at % 8);
    this.s2 = this.s1 + 8 * c;
    this.#f64().fill(0);
  }

  #buffer(): ArrayBufferLike {
    return heapF32(this.#backend, this.#info).buffer;
  }

  #f64(): Float64Array {
    return new Float64Array(this.#buffer(), this.s1, 2 * this.#c);
  }

  /** Byte offset of float32 vector i (0–3). */
  f32(i: number): number {
    return this.s2 + 8 * this.#c + 4 * this.#c * i;
  }

  set(i: number, v: Float32Array): void {
    new Float32Array(this.#buffer(), this.f32(i), this.#c).set(v);
  }

  /** Copies of the two sums. */
  sums(): [Float64Array, Float64Array] {
    const all = this.#f64();
    return [all.slice(0, this.#c), all.slice(this.#c)];
  }

  dispose(): void {
    this.#backend.disposeData(this.#info.dataId, true);
  }
}

/**
 * Per-channel sums over the rows of [rows, c] data: with only `a`, [Σ a, Σ a²]; with `b` and
 * `center`, [Σ a, Σ a·(b − center)]. float32 partial sums over blocks of 4 rows, float64 across
 * blocks (as `sumMiddle`), which keeps the loop tight and long sums accurate.
 */
export function channelSums(a: Float32Array, b: Float32Array | undefined, center: Float32Array | undefined, rows: number, c: number): [Float64Array, Float64Array] {
  const s1 = new Float64Array(c), s2 = new Float64Array(c);
  const r4 = rows - (rows % 4), c2 = 2 * c, c3 = 3 * c;
  if (!b || !center) {
    let o = 0;
    for (let r = 0; r < r4; r += 4, o += 4 * c) {
      for (let j = 0; j < c; j++) {
        const v0 = a[o + j]!, v1 = a[o + c + j]!, v2 = a[o + c2 + j]!, v3 = a[o + c3 + j]!;
        s1[j] += (v0 + v1) + (v2 + v3);
        s2[j] += (v0 * v0 + v1 * v1) + (v2 * v2 + v3 * v3);
      }
    }
    for (let r = r4; r < rows; r++, o += c) for (let j = 0; j < c; j++) { const v = a[o + j]!; s1[j] += v; s2[j] += v * v; }
  } else {
    let o = 0;
    for (let r = 0; r < r4; r += 4, o += 4 * c) {
      for (let j = 0; j < c; j++) {
        const m = center[j]!;
        const g0 = a[o + j]!, g1 = a[o + c + j]!, g2 = a[o + c2 + j]!, g3 = a[o + c3 + j]!;
        s1[j] += (g0 + g1) + (g2 + g3);
        s2[j] += (g0 * (b[o + j]! - m) + g1 * (b[o + c + j]! - m)) + (g2 * (b[o + c2 + j]! - m) + g3 * (b[o + c3 + j]! - m));
      }
    }
    for (let r = r4; r < rows; r++, o += c) for (let j = 0; j < c; j++) { const g = a[o + j]!; s1[j] += g; s2[j] += g * (b[o + j]! - center[j]!); }
  }
  return [s1, s2];
}

export const batchNormTrainKernels: [string, tf.KernelFunc][] = [
  [FUSED_BN_TRAIN, batchNormTrain as tf.KernelFunc], [FUSED_BN_TRAIN_GRAD, batchNormTrainGrad as tf.KernelFunc],
  [FUSED_BN_RELU_TRAIN, batchNormReluTrain as tf.KernelFunc], [FUSED_BN_RELU_TRAIN_GRAD, batchNormReluTrainGrad as tf.KernelFunc],
];
