import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUSED_BN_TRAIN, FUSED_BN_TRAIN_GRAD, hasFusedBatchNormTraining, routeBatchNormTraining } from './fused-batch-norm.js';
import { backward, forward } from './test-utils/fused-bn-cpu.js';

/** One training step of a fresh BN layer: [y, dgamma, dbeta, dx, moving mean, moving variance] and the kernels run. */
async function step(axis: number, shape: number[]) {
  const layer = tfl.layers.batchNormalization({ axis, momentum: 0.8, gammaInitializer: tfl.initializers.constant({ value: 1.3 }) });
  const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 3), 2), 1);
  const w = tf.randomNormal(shape, 0, 1, 'float32', 4);
  layer.build(shape);
  const [gamma, beta] = layer.trainableWeights.map((v) => (v as unknown as { read(): tf.Variable }).read());
  const p = await tf.profile(() => {
    const f = (a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, { training: true }) as tf.Tensor, w)) as tf.Scalar;
    const y = tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor);
    const { grads } = tf.variableGrads(() => f(x), [gamma!, beta!]);
    const dx = tf.grad(f)(x);
    const out = [y, grads[gamma!.name]!, grads[beta!.name]!, dx].map((t) => Array.from(t.dataSync()));
    tf.dispose([y, dx, ...Object.values(grads)]);
    return out;
  });
  const moving = layer.nonTrainableWeights.map((v) => Array.from(v.read().dataSync()));
  tf.dispose([x, w]);
  layer.weights.forEach((v) => v.dispose());
  return { values: [...(p.result as number[][]), ...moving], kernels: new Set(p.kernels.map((k) => k.name)) };
}

const close = (a: number[][], b: number[][]) => a.forEach((v, i) => v.forEach((x, j) => expect(Math.abs(x - b[i]![j]!), `value ${i}[${j}]`).toBeLessThan(1e-5 * (1 + Math.abs(b[i]![j]!)))));

describe('routeBatchNormTraining', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    routeBatchNormTraining(tfl);
  });
  afterAll(() => {
    for (const k of [FUSED_BN_TRAIN, FUSED_BN_TRAIN_GRAD]) if (tf.getKernel(k, 'cpu')) tf.unregisterKernel(k, 'cpu');
  });

  it('routes training-mode layers to the backend\'s fused kernels once it has both, with the same results as tfjs-layers', async () => {
    expect(hasFusedBatchNormTraining()).toBe(false);
    const plain = await step(-1, [2, 3, 4, 5]);
    expect(plain.kernels.has(FUSED_BN_TRAIN)).toBe(false);
    tf.registerKernel({ kernelName: FUSED_BN_TRAIN, backendName: 'cpu', kernelFunc: forward });
    tf.registerKernel({ kernelName: FUSED_BN_TRAIN_GRAD, backendName: 'cpu', kernelFunc: backward });
    expect(hasFusedBatchNormTraining()).toBe(true);
    const fused = await step(-1, [2, 3, 4, 5]);
    expect(fused.kernels.has(FUSED_BN_TRAIN)).toBe(true);
    expect(fused.kernels.has(FUSED_BN_TRAIN_GRAD)).toBe(true);
    close(fused.values, plain.values);
  });

  it('leaves other ranks to tfjs-layers, and keeps the tensor count flat', async () => {
    const other = await step(-1, [6, 5]);
    expect(other.kernels.has(FUSED_BN_TRAIN)).toBe(false);
    const layer = tfl.layers.batchNormalization();
    const x = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 9);
    layer.build(x.shape);
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => { tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar); });
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    x.dispose();
    layer.weights.forEach((v) => v.dispose());
  });
});
