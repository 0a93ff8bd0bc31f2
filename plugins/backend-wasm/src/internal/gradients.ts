import * as tf from '@tensorflow/tfjs-core';
import { heapF32, offsetOf, wasmBackend } from './heap.js';
import { channelSums } from './kernels/batch-norm-train.js';
import { simdFor } from './simd/index.js';

/** Custom wasm kernel: [Σ dy, Σ dy·(x − mean)] per channel (last axis), one pass over x and dy. */
export const BN_GRAD_STATS = 'KilnBatchNormGradStats';

export function batchNormGradStats({ inputs, backend: b }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = wasmBackend(b);
  const x = inputs['x']!, dy = inputs['dy']!, mean = inputs['mean']!;
  const c = x.shape[x.shape.length - 1]!, rows = tf.util.sizeFromShape(x.shape) / c;
  const out = backend.makeOutput([2, c], 'float32');
  const [s1, s2] = channelSums(heapF32(backend, dy), heapF32(backend, x), heapF32(backend, mean), rows, c);
  const o = heapF32(backend, out);
  o.set(s1, 0);
  o.set(s2, c);
  return out;
}

/** Custom wasm kernel: the ReLU gradient in one SIMD pass (tfjs runs Step, Cast and Mul). */
export const RELU_GRAD = 'KilnReluGrad';

function reluGradKernel({ inputs, backend: b }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = wasmBackend(b);
  const dy = inputs['dy']!, x = inputs['x']!;
  const out = backend.makeOutput(x.shape, 'float32');
  simdFor(backend)!.reluGrad(offsetOf(backend, dy), offsetOf(backend, x), offsetOf(backend, out), tf.util.sizeFromShape(x.shape));
  return out;
}

type GradFunc = tf.GradConfig['gradFunc'];

let enabled = true;
/** Turns the wasm fast paths off (benchmark baseline) or on again. */
export function setFastGradients(on: boolean): void {
  enabled = on;
}

/** Wraps a gradient so the wasm backend uses `fast` (when it returns a result) and every other backend the original. */
function onWasm(name: string, fast: (dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => ReturnType<GradFunc> | null): tf.GradConfig | null {
  const original = tf.getGradient(name);
  if (!original || (original as { kiln?: boolean }).kiln) return null;
  const config: tf.GradConfig & { kiln: boolean } = {
    ...original,
    kiln: true,
    gradFunc: (dy, saved, attrs) => (enabled && tf.getBackend() === 'wasm' && !Array.isArray(dy) ? fast(dy, saved, attrs) : null) ?? original.gradFunc(dy, saved, attrs),
  };
  return config;
}

/**
 * Batch norm's gradient in a few passes instead of ~25: dx = dy·scale·rsqrt(var + ε) as one
 * broadcast multiply, and the four per-channel gradients from one fused reduction.
 */
function fusedBatchNormGrad(dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) {
  const [x, mean, variance, scale] = saved;
  if (mean.rank !== 1 || variance.rank !== 1 || x.shape[x.rank - 1] !== mean.shape[0] || x.dtype !== 'float32') return null;
  const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
  // Called inside backprop's 'backward' tidy: these small eager tensors are freed when it ends.
  const rs = tf.rsqrt(tf.add(variance, eps));
  const rsScale = scale == null ? rs : tf.mul(rs, scale);
  const stats = tf.engine().runKernel(BN_GRAD_STATS, { x, dy, mean }) as tf.Tensor2D;
  const sumDy = tf.reshape(tf.slice(stats, [0, 0], [1, -1]), mean.shape);
  const sumDyXc = tf.reshape(tf.slice(stats, [1, 0], [1, -1]), mean.shape);
  return {
    x: () => tf.mul(dy, rsScale),
    mean: () => tf.neg(tf.mul(rsScale, sumDy)),
    variance: () => tf.mul(tf.mul(tf.mul(rsScale, tf.square(rs)), sumDyXc), -0.5),
    scale: () => tf.mul(sumDyXc, rs),
    offset: () => tf.clone(sumDy),
  };
}

/** ReLU's gradient as one SIMD kernel where the SIMD kernels load (else tfjs's dy·step(x)). */
function reluGrad(dy: tf.Tensor, saved: tf.Tensor[]) {
  const [x] = saved;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || !tf.util.arraysEqual(x.shape, dy.shape) || !simdFor(wasmBackend())) return null;
  return { x: () => tf.engine().runKernel(RELU_GRAD, { dy, x }) as tf.Tensor };
}

/** Sum/Mean gradient as one broadcast (our Tile) instead of dy · ones(x.shape) [/ n]. */
function reduceGrad(isMean: boolean) {
  return (dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x] = saved;
    if (x.dtype !== 'float32') return null;
    const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const n = axes.reduce((p, a) => p * x.shape[a], 1);
    return { x: () => tf.tile(tf.reshape(isMean ? tf.div(dy, n) : dy, kept), x.shape.map((d, i) => d / kept[i])) };
  };
}

/** Overrides the gradients above for the wasm backend (idempotent); other backends keep the originals. */
export function installWasmGradients(): string[] {
  const done: string[] = [];
  for (const [name, fast] of [['FusedBatchNorm', fusedBatchNormGrad], ['Mean', reduceGrad(true)], ['Sum', reduceGrad(false)], ['Relu', reluGrad]] as const) {
    const config = onWasm(name, fast);
    if (config) { tf.registerGradient(config); done.push(name); }
  }
  if (!tf.getKernel(BN_GRAD_STATS, 'wasm')) tf.registerKernel({ kernelName: BN_GRAD_STATS, backendName: 'wasm', kernelFunc: batchNormGradStats });
  if (!tf.getKernel(RELU_GRAD, 'wasm')) tf.registerKernel({ kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGradKernel });
  return done;
}
