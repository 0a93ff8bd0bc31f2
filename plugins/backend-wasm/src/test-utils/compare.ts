import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerWasmTrainingKernels } from '../kernels.js';

/** Loads wasm with Kiln's kernels next to cpu (both registered, wasm not selected). */
export async function setupBackends(): Promise<void> {
  await registerWasmTrainingKernels();
  await tf.setBackend('wasm');
  await tf.setBackend('cpu');
}

/** Deterministic pseudo-random values in [-1, 1). */
export function randomValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

/** Runs `fn` on `backend` and returns the values it produced (as plain Float32Arrays), leak-free. */
export async function on(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => new Float32Array(t.dataSync()));
  tf.dispose(list);
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`${leaked} tensors leaked on ${backend}`);
  return values;
}

/** max |a - b| / max |b| (0 when both are zero). Throws when the lengths differ. */
export function relError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
