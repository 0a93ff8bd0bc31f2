import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { wasmBackend } from '../src/index.js';
import { on, randomValues, relError } from '../src/test-utils/compare.js';

// Runs in its own vitest worker process: the wasm thread count is fixed once the backend starts.
describe('wasm with threads: 2 in Node', () => {
  it('starts the multithreaded build with 2 threads and trains a conv layer with the same gradients as cpu', async () => {
    const info = await wasmBackend.activate({ threads: 2 });
    expect(info.device).toMatch(/^wasm \(2 threads, SIMD\)$/);
    const xv = randomValues(4 * 16 * 16 * 8, 1), wv = randomValues(3 * 3 * 8 * 16, 2);
    const step = () => {
      const w = tf.variable(tf.tensor4d(wv, [3, 3, 8, 16]));
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.conv2d(tf.tensor4d(xv, [4, 16, 16, 8]), w, 1, 'same'))) as tf.Scalar);
      const g = grads[w.name]!;
      w.dispose();
      return g;
    };
    const [a] = await on('wasm', step);
    const [b] = await on('cpu', step);
    expect(relError(a, b)).toBeLessThanOrEqual(1e-5);
  });
});
