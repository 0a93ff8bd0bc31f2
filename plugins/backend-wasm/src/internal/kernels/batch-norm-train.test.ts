import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { setWasmKernelSet } from '../../kernels.js';
import { randomValues, relError, setupBackends } from '../../test-utils/compare.js';
import { setSimdKernels } from '../simd/index.js';

/**
 * One training step of a BatchNormalization layer on `backend`: [y, dgamma, dbeta, dx, moving
 * mean, moving variance] and the kernels that ran.
 */
async function bnStep(backend: string, shape: [number, number, number, number], mean: number, spread: number) {
  await tf.setBackend(backend);
  const n = shape.reduce((a, b) => a * b, 1);
  const x = tf.add(tf.mul(tf.tensor(randomValues(n, 7), shape), spread), mean);
  const w = tf.tensor(randomValues(n, 8), shape);
  const layer = tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3, gammaInitializer: tfl.initializers.constant({ value: 1.5 }), betaInitializer: 'ones' });
  layer.build(shape);
  const [gamma, beta] = layer.trainableWeights.map((v) => (v as unknown as { read(): tf.Variable }).read());
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, w)) as tf.Scalar, [gamma!, beta!]);
    const y = tf.tidy(() => layer.apply(x, { training: false }) as tf.Tensor); // after the update: uses the moving statistics
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, { training: true }) as tf.Tensor, w)))(x);
    const out = [y, grads[gamma!.name]!, grads[beta!.name]!, dx].map((t) => new Float32Array(t.dataSync()));
    tf.dispose([value, y, dx, ...Object.values(grads)]);
    return out;
  });
  const moving = layer.nonTrainableWeights.map((v) => new Float32Array(v.read().dataSync()));
  tf.dispose([x, w]);
  layer.weights.forEach((v) => v.dispose());
  return { values: [...(profile.result as Float32Array[]), ...moving], kernels: new Set(profile.kernels.map((k) => k.name)) };
}

describe('fused training batch norm on wasm', () => {
  beforeAll(async () => {
    await setupBackends();
  });

  const cases: [string, [number, number, number, number], number, number][] = [
    ['small, centred', [2, 3, 4, 5], 0, 1],
    ['large mean, small spread (cancellation)', [4, 8, 8, 3], 50, 0.5],
    ['one row per channel group', [1, 1, 7, 16], -2, 3],
  ];
  it.each(cases)('%s: runs the fused kernels and matches the cpu backend (relative error ≤ 1e-5)', async (_name, shape, mean, spread) => {
    const wasm = await bnStep('wasm', shape, mean, spread);
    const cpu = await bnStep('cpu', shape, mean, spread);
    expect(wasm.kernels.has('KilnFusedBatchNormTraining')).toBe(true);
    expect(cpu.kernels.has('KilnFusedBatchNormTraining')).toBe(false);
    const names = ['y (moving stats)', 'dgamma', 'dbeta', 'dx', 'moving mean', 'moving variance'];
    wasm.values.forEach((v, i) => expect(relError(v, cpu.values[i]!), names[i]).toBeLessThanOrEqual(1e-5));
  });

  it.each([[8, true], [8, false], [6, true]] as const)('conv → BN → ReLU in a model (%i channels, SIMD %s) runs the fused batch norm + ReLU kernels and matches the cpu backend (1e-5)', async (c, simd) => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      setSimdKernels(simd);
      const input = tfl.input({ shape: [5, 6, 3] });
      // No conv bias: before a batch norm its gradient is zero up to round-off, which a relative error cannot judge.
      const conv = tfl.layers.conv2d({ filters: c, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tfl.initializers.glorotNormal({ seed: 3 }) }).apply(input) as tfl.SymbolicTensor;
      const norm = tfl.layers.batchNormalization({ betaInitializer: tfl.initializers.constant({ value: -0.3 }) }).apply(conv) as tfl.SymbolicTensor;
      const model = tfl.model({ inputs: input, outputs: tfl.layers.reLU().apply(norm) as tfl.SymbolicTensor });
      const x = tf.tensor(randomValues(2 * 5 * 6 * 3, 11), [2, 5, 6, 3]);
      const w = tf.tensor(randomValues(2 * 5 * 6 * c, 12), [2, 5, 6, c]);
      const vars = model.trainableWeights.map((v) => (v as unknown as { read(): tf.Variable }).read());
      const profile = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, w)) as tf.Scalar, vars);
        const out = [value, ...vars.map((v) => grads[v.name]!)].map((t) => new Float32Array(t.dataSync()));
        tf.dispose([value, ...Object.values(grads)]);
        return out;
      });
      const moving = model.nonTrainableWeights.map((v) => new Float32Array(v.read().dataSync()));
      tf.dispose([x, w]);
      model.weights.forEach((v) => v.dispose());
      setSimdKernels(true);
      return { values: [...(profile.result as Float32Array[]), ...moving], kernels: new Set(profile.kernels.map((k) => k.name)) };
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    expect(wasm.kernels.has('KilnFusedBatchNormReluTraining')).toBe(true);
    expect(wasm.kernels.has('Relu')).toBe(false);
    expect(cpu.kernels.has('Relu')).toBe(true);
    wasm.values.forEach((v, i) => expect(relError(v, cpu.values[i]!), `value ${i}`).toBeLessThanOrEqual(1e-5));
  });

  it('keeps the tensor count flat over steps', async () => {
    await tf.setBackend('wasm');
    const layer = tfl.layers.batchNormalization();
    const x = tf.tensor(randomValues(2 * 4 * 4 * 3, 3), [2, 4, 4, 3]);
    layer.build(x.shape);
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      tf.tidy(() => { tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar); });
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    x.dispose();
    layer.weights.forEach((v) => v.dispose());
  });

  it('the stock baseline kernel set removes the fused kernels (tfjs-layers\' ops run), and the Kiln set restores them', async () => {
    await setWasmKernelSet('stock-with-cpu-forwarding');
    try {
      const stock = await bnStep('wasm', [2, 3, 4, 5], 0, 1);
      expect(stock.kernels.has('KilnFusedBatchNormTraining')).toBe(false);
    } finally {
      await setWasmKernelSet('kiln');
    }
    const kiln = await bnStep('wasm', [2, 3, 4, 5], 0, 1);
    expect(kiln.kernels.has('KilnFusedBatchNormTraining')).toBe(true);
  });
});
