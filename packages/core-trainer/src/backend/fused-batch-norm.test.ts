import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUSED_BN_TRAIN, FUSED_BN_TRAIN_GRAD, hasFusedBatchNormTraining, routeBatchNormTraining } from './fused-batch-norm.js';

// The contract implemented for 'cpu' with plain tfjs ops (the textbook formulas), so the routing,
// the gradient plumbing and the moving averages can be checked against tfjs-layers' own path.
const eps = (attrs: unknown) => (attrs as { epsilon: number }).epsilon;
const forward: tf.KernelFunc = ({ inputs, attrs }) => tf.tidy(() => {
  const { x, scale, offset } = inputs as unknown as Record<string, tf.Tensor4D>;
  const { mean, variance } = tf.moments(x!, [0, 1, 2]);
  const inv = tf.rsqrt(tf.add(variance, eps(attrs)));
  const y = tf.add(tf.mul(tf.mul(tf.sub(x!, mean), inv), scale!), offset!);
  return [y, mean, variance, tf.clone(mean), inv, tf.zeros([1])];
}) as unknown as tf.TensorInfo[];
const backward: tf.KernelFunc = ({ inputs }) => tf.tidy(() => {
  const { dy, x, scale, r1, r2 } = inputs as unknown as Record<string, tf.Tensor>;
  const xhat = tf.mul(tf.sub(x!, r1!), r2!);
  const n = x!.size / x!.shape[3]!;
  const sDy = tf.sum(dy!, [0, 1, 2]);
  const sDyXhat = tf.sum(tf.mul(dy!, xhat), [0, 1, 2]);
  const dx = tf.mul(tf.mul(scale!, r2!), tf.sub(tf.sub(dy!, tf.div(sDy, n)), tf.mul(xhat, tf.div(sDyXhat, n))));
  return [dx, sDyXhat, sDy];
}) as unknown as tf.TensorInfo[];

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
