import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { isKilnError } from '@kiln/core-trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { goldenStep } from './golden-step.js';

/** Dense + batch norm: every kernel it needs for a step exists on stock wasm. */
function mlp(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ inputShape: [6], units: 8, activation: 'relu' }));
  m.add(tfl.layers.batchNormalization());
  m.add(tfl.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

describe('goldenStep', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is exactly 0 on the same backend twice (same weights, same seeded batch) and restores the backend', async () => {
    const r = await goldenStep(mlp, ['cpu', 'cpu'], 42);
    expect(r.variables.map((v) => v.name)).toEqual(expect.arrayContaining(['dense_Dense1/kernel', 'batch_normalization_BatchNormalization1/moving_mean']));
    expect(r.maxAbsDiff).toBe(0);
    expect(r.loss[0]).toBe(r.loss[1]);
    expect(r.variables.filter((v) => v.trainable).every((v) => v.maxAbsGrad > 0)).toBe(true);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('cpu vs wasm differ by float round-off only (tolerance 1e-5 on weights and gradients)', async () => {
    const before = tf.memory().numTensors;
    const r = await goldenStep(mlp, ['cpu', 'wasm'], 7, { batchSize: 4, lr: 0.1 });
    expect(r.backends).toEqual(['cpu', 'wasm']);
    for (const v of r.variables) {
      expect(v.maxAbsDiff, v.name).toBeLessThan(1e-5);
      expect(v.maxAbsGradDiff, v.name).toBeLessThan(1e-5);
    }
    expect(Math.abs(r.loss[0] - r.loss[1])).toBeLessThan(1e-6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names a backend that is not registered (KILN_NATIVE_GOLDEN_BACKEND)', async () => {
    await expect(goldenStep(mlp, ['cpu', 'webgpu'], 1)).rejects.toSatisfy((e) => isKilnError(e, 'KILN_NATIVE_GOLDEN_BACKEND') && /'webgpu'/.test((e as Error).message));
  });
});
