import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { on, randomValues, relError, setupBackends } from '../src/test-utils/compare.js';

beforeAll(setupBackends);

/** conv → BN → ReLU → depthwise (stride 2, multiplier 2) → BN → 1×1 conv → conv2dTranspose (stride 2) → sigmoid. */
function smallCnn(): tfl.LayersModel {
  const input = tfl.input({ shape: [16, 16, 3] });
  let h = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization().apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.reLU().apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 2, padding: 'same', useBias: false, depthwiseInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization().apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }).apply(h) as tfl.SymbolicTensor;
  const out = tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

describe('whole-model gradients', () => {
  // Tolerance per variable: max |wasm - cpu| / max |cpu| <= 1e-4 (batch norm's backward sums many
  // terms that nearly cancel, so a whole model is looser than a single kernel's 1e-5).
  it('every trainable variable of a small CNN gets the same gradient on wasm and cpu', async () => {
    await tf.setBackend('cpu');
    const model = smallCnn();
    const xv = randomValues(4 * 16 * 16 * 3, 21), yv = randomValues(4 * 16 * 16, 22).map((v) => (v > 0 ? 1 : 0));
    const names = model.trainableWeights.map((w) => w.originalName);
    const step = () => {
      const x = tf.tensor4d(xv, [4, 16, 16, 3]), y = tf.tensor4d(yv, [4, 16, 16, 1]);
      const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(model.apply(x, { training: true }) as tf.Tensor, y))) as tf.Scalar);
      return names.map((n) => grads[n]!);
    };
    const wasm = await on('wasm', step);
    const cpu = await on('cpu', step);
    expect(names.length).toBe(12);
    const errors = names.map((n, i) => [n, relError(wasm[i]!, cpu[i]!)] as const);
    for (const [n, e] of errors) expect(e, n).toBeLessThanOrEqual(1e-4);
    expect(cpu.every((g) => g.some((v) => v !== 0))).toBe(true);
    model.layers.forEach((l) => l.dispose());
  });
});
