// Runs only where the tfjs-node binding loads (CI provisions it with tools/scripts/src/native/provision.mjs);
// elsewhere every test here skips and the reason is printed.
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Adam, Rng, withSeededRandom } from '@kiln/core-trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyTf221Fixes, goldenStep, nativeBackend } from '../src/index.js';

const provider = nativeBackend('cpu');
const probe = await provider.probe();
if (!probe.ok) console.warn(`[backend-native] native tests skipped: ${probe.reason}. Fix: ${probe.fix}`);

/** conv-BN-ReLU-pool ×2, GAP, dense softmax: the kernels of a typical classifier step. */
function cnn(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same' }));
  m.add(tfl.layers.batchNormalization());
  m.add(tfl.layers.reLU());
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  m.add(tfl.layers.globalAveragePooling2d({}));
  m.add(tfl.layers.dense({ units: 4, activation: 'softmax' }));
  return m;
}

/** One training-mode forward of `net` on `x`: its output, then d(sum(output·w))/d(each of `vars`), as arrays. */
function outputAndGrads(net: { apply(x: tf.Tensor, kwargs: { training: boolean }): unknown }, x: tf.Tensor, w: tf.Tensor, vars: tf.Variable[]): number[][] {
  let y: number[] = [];
  const { grads } = tf.variableGrads(() => {
    const out = net.apply(x, { training: true }) as tf.Tensor;
    y = Array.from(out.dataSync());
    return tf.sum(tf.mul(out, w)) as tf.Scalar;
  }, vars);
  const out = [y, ...vars.map((v) => Array.from(grads[v.name]!.dataSync()))];
  tf.dispose(Object.values(grads));
  return out;
}

/** Every value of `native` within 1e-4·(1 + |cpu|) of `cpu`, array by array, lengths equal. */
function expectCloseToCpu(native: number[][], cpu: number[][]): void {
  expect(native.length).toBe(cpu.length);
  native.forEach((v, i) => {
    expect(v.length, `value ${i}`).toBe(cpu[i]!.length);
    v.forEach((a, j) => expect(Math.abs(a - cpu[i]![j]!), `value ${i}[${j}]`).toBeLessThan(1e-4 * (1 + Math.abs(cpu[i]![j]!))));
  });
}

describe.skipIf(!probe.ok)('native backend (real TensorFlow)', () => {
  beforeAll(async () => {
    const info = await provider.activate();
    expect(info).toEqual({ name: 'native', tfBackend: 'tensorflow', device: 'CPU' });
  });

  it('probe reports the TensorFlow version and device', () => {
    expect(probe.ok && probe.detail).toMatch(/^TensorFlow 2\.\d+\.\d+ on CPU via /);
  });

  it('round: int32 is returned unchanged (TF 2.21 gives zeros without the fix), float32 matches the cpu backend', async () => {
    expect(Array.from(tf.round(tf.tensor1d([7, -3, 0, 2147483647], 'int32')).dataSync())).toEqual([7, -3, 0, 2147483647]);
    const values = [0.5, 1.5, 2.5, -0.5, -1.7, 3.2];
    const native = Array.from(tf.round(tf.tensor1d(values)).dataSync(), (v) => v + 0); // -0 → 0
    await tf.setBackend('cpu');
    const cpu = Array.from(tf.round(tf.tensor1d(values)).dataSync(), (v) => v + 0);
    await tf.setBackend('tensorflow');
    expect(native).toEqual(cpu);
    expect(applyTf221Fixes()).toEqual([]); // idempotent: already applied by activate()
  });

  it('step (the ReLU gradient mask, replaced by Sign(Relu(x))) matches the cpu backend, NaN and alpha included', async () => {
    const run = () => [0, 0.3].map((alpha) => Array.from(tf.step(tf.tensor1d([-2, -0, 0, 1e-30, 3, NaN]), alpha).dataSync()));
    const grad = () => Array.from(tf.grad((x: tf.Tensor) => tf.sum(tf.relu(x)))(tf.tensor1d([-1, 0.5, 2])).dataSync());
    const native = [...run(), grad()];
    await tf.setBackend('cpu');
    const cpu = [...run(), grad()];
    await tf.setBackend('tensorflow');
    expect(native).toEqual(cpu);
  });

  it('fast gradients (fused batch norm, Mean/Sum, Relu/Relu6) match the cpu backend within 1e-4', async () => {
    const inputs = () => [
      tf.randomNormal([2, 5, 4, 3], 0, 2, 'float32', 11), tf.tensor1d([0.3, -0.2, 1]), tf.tensor1d([0.5, 2, 0.1]),
      tf.tensor1d([1.5, -0.7, 0.2]), tf.tensor1d([0.1, 0.2, -0.3]), tf.randomNormal([2, 5, 4, 3], 0, 1, 'float32', 12),
    ];
    const grads = () => tf.tidy(() => {
      const [x, mean, variance, scale, offset, w] = inputs();
      // mean and variance are independent inputs here, so dmean / dvar are checked on their own.
      const bn = tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
        tf.sum(tf.mul(tf.batchNorm(a, m, v, o, s, 1e-3), w)))([x, mean, variance, scale, offset]);
      const red = tf.grads((a: tf.Tensor) => tf.add(tf.sum(tf.mul(tf.mean(a, [0, 1, 2]), tf.tensor1d([1, 2, 3]))),
        tf.sum(tf.mul(tf.sum(a, 1, true), 0.5))))([x]);
      const act = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.relu(a), tf.relu6(tf.mul(a, 4))), w)))([x]);
      return [...bn, ...red, ...act].map((g) => Array.from(g.dataSync()));
    });
    const native = grads();
    await tf.setBackend('cpu');
    const cpu = grads();
    await tf.setBackend('tensorflow');
    expect(native.length).toBe(7);
    expectCloseToCpu(native, cpu);
  });

  it('training batch norm runs as one fused TensorFlow kernel per layer and matches the cpu backend (output, moving statistics, gradients within 1e-4)', async () => {
    /** One training step of a BN layer on `backend`: output, d(output·w)/d(x, gamma, beta), moving stats, kernels run. */
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const layer = tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3, betaInitializer: 'ones', gammaInitializer: tfl.initializers.constant({ value: 1.5 }) });
      const x = tf.randomNormal([3, 5, 4, 6], 2, 3, 'float32', 21);
      const w = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 22);
      layer.build(x.shape);
      const [gamma, beta] = layer.trainableWeights.map((v) => (v as unknown as { read(): tf.Variable }).read());
      const profile = await tf.profile(() => {
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, { training: true }) as tf.Tensor, w)))(x);
        const out = [...outputAndGrads(layer, x, w, [gamma!, beta!]), Array.from(dx.dataSync())];
        dx.dispose();
        return out;
      });
      const moving = layer.nonTrainableWeights.map((v) => Array.from(v.read().dataSync()));
      const values = [...(profile.result as number[][]), ...moving];
      const kernels = new Set(profile.kernels.map((k) => k.name));
      tf.dispose([x, w]);
      layer.weights.forEach((v) => v.dispose());
      return { values, kernels };
    };
    const native = await run('tensorflow');
    const cpu = await run('cpu');
    await tf.setBackend('tensorflow');
    expect(native.kernels.has('KilnFusedBatchNormTraining')).toBe(true);
    expect(cpu.kernels.has('KilnFusedBatchNormTraining')).toBe(false);
    expect(native.values.length).toBe(6); // y, dgamma, dbeta, dx, moving mean, moving variance
    expectCloseToCpu(native.values, cpu.values);
  });

  it('conv → BN → ReLU in a model runs oneDNN\'s fused batch norm + ReLU; output, moving statistics and gradients match the cpu backend (1e-4)', async () => {
    const build = () => {
      const input = tfl.input({ shape: [7, 5, 3] });
      const c = tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', kernelInitializer: tfl.initializers.glorotNormal({ seed: 31 }) }).apply(input) as tfl.SymbolicTensor;
      const b = tfl.layers.batchNormalization({ momentum: 0.9, betaInitializer: tfl.initializers.constant({ value: -0.3 }), gammaInitializer: tfl.initializers.constant({ value: 1.5 }) }).apply(c) as tfl.SymbolicTensor;
      return tfl.model({ inputs: input, outputs: tfl.layers.reLU().apply(b) as tfl.SymbolicTensor });
    };
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const model = build();
      const x = tf.randomNormal([3, 7, 5, 3], 1, 2, 'float32', 32);
      const w = tf.randomNormal([3, 7, 5, 6], 0, 1, 'float32', 33);
      const vars = model.trainableWeights.map((v) => (v as unknown as { read(): tf.Variable }).read());
      const profile = await tf.profile(() => outputAndGrads(model, x, w, vars));
      const moving = model.nonTrainableWeights.map((v) => Array.from(v.read().dataSync()));
      const count = (k: string) => profile.kernels.filter((e) => e.name === k).length;
      tf.dispose([x, w]);
      model.weights.forEach((v) => v.dispose());
      return { values: [...(profile.result as number[][]), ...moving], fused: count('KilnFusedBatchNormReluTraining'), relu: count('Relu') };
    };
    const native = await run('tensorflow');
    const cpu = await run('cpu');
    await tf.setBackend('tensorflow');
    expect(native).toMatchObject({ fused: 1, relu: 0 });
    expect(cpu).toMatchObject({ fused: 0, relu: 1 });
    expect(Math.min(...native.values[0]!)).toBe(0); // rectified: the beta of −0.3 makes some outputs negative before ReLU
    expect(native.values.length).toBe(7); // y, kernel, bias, gamma, beta gradients, moving mean, moving variance
    expectCloseToCpu(native.values, cpu.values);
  });

  it('training batch norm: the tensor count stays flat over steps; inference still uses the moving statistics', () => {
    const layer = tfl.layers.batchNormalization({ momentum: 0.5 });
    const x = tf.randomNormal([4, 3, 3, 2], 5, 2, 'float32', 31);
    layer.build(x.shape);
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      tf.tidy(() => {
        tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
      });
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    // After 4 updates with momentum 0.5 the moving mean is 15/16 of the batch mean (from 0).
    const batchMean = tf.tidy(() => tf.mean(x, [0, 1, 2]).dataSync());
    const movingMean = layer.nonTrainableWeights[0]!.read().dataSync();
    batchMean.forEach((m, c) => expect(movingMean[c]).toBeCloseTo(m * 15 / 16, 4));
    const [gamma, beta, mean, variance] = layer.weights.map((v) => v.read());
    const inference = layer.apply(x, { training: false }) as tf.Tensor;
    const expected = tf.batchNorm(x, mean!, variance!, beta!, gamma!, 1e-3);
    expect(tf.max(tf.abs(tf.sub(inference, expected))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, inference, expected]);
    layer.weights.forEach((v) => v.dispose());
  });

  it('ReLU(maxValue 6) and the relu6 activation run as one Relu6 op; values and gradients match the cpu backend', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      // |x| up to ~10 so all three regions (< 0, 0..6, > 6) are hit; no input is exactly 0 or 6.
      const x = tf.mul(tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 41), 5);
      const reluLayer = tfl.layers.reLU({ maxValue: 6 });
      const actLayer = tfl.layers.activation({ activation: 'relu6' });
      const f = (a: tf.Tensor) => tf.add(tf.sum(tf.square(reluLayer.apply(a) as tf.Tensor)), tf.sum(tf.mul(actLayer.apply(a) as tf.Tensor, 3)));
      const profile = await tf.profile(() => {
        const { value, grad } = tf.valueAndGrad(f)(x);
        const out = [Array.from(value.dataSync()), Array.from(grad.dataSync())];
        tf.dispose([value, grad]);
        return out;
      });
      x.dispose();
      return { values: profile.result as number[][], kernels: new Set(profile.kernels.map((k) => k.name)) };
    };
    const native = await run('tensorflow');
    const cpu = await run('cpu');
    await tf.setBackend('tensorflow');
    expect(native.kernels.has('Relu6')).toBe(true);
    expect(native.kernels.has('ClipByValue') || native.kernels.has('Minimum')).toBe(false);
    expect(cpu.kernels.has('ClipByValue')).toBe(true);
    expectCloseToCpu(native.values, cpu.values);
  });

  it('max-pool gradient (oneDNN where TensorFlow has it) matches the cpu backend over pool sizes, strides and padding', async () => {
    const cases: [number, number, 'valid' | 'same'][] = [[2, 2, 'valid'], [2, 2, 'same'], [3, 2, 'same'], [3, 1, 'same'], [2, 1, 'valid'], [3, 3, 'valid']];
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.randomNormal([2, 7, 9, 3], 0, 1, 'float32', 51);
      const profile = await tf.profile(() => cases.map(([f, s, pad]) => {
        const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, f, s, pad), tf.randomNormal(tf.maxPool(a as tf.Tensor4D, f, s, pad).shape, 0, 1, 'float32', 52))))(x);
        const v = Array.from(g.dataSync());
        g.dispose();
        return v;
      }));
      x.dispose();
      return { values: profile.result as number[][], kernels: new Set(profile.kernels.map((k) => k.name)) };
    };
    const native = await run('tensorflow');
    const cpu = await run('cpu');
    await tf.setBackend('tensorflow');
    // x86-64 TensorFlow wheels are built with oneDNN, so the stock MaxPoolGrad kernel is not used.
    expect(native.kernels.has('MaxPoolGrad')).toBe(false);
    expect(cpu.kernels.has('MaxPoolGrad')).toBe(true);
    native.values.forEach((v, i) => v.forEach((a, j) => expect(Math.abs(a - cpu.values[i]![j]!), `case ${cases[i]} [${j}]`).toBeLessThan(1e-5 * (1 + Math.abs(cpu.values[i]![j]!)))));
  });

  it('max-pool layers in training keep oneDNN\'s workspace for the gradient; the image-facing conv computes no input gradient; results match the cpu backend', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const model = withSeededRandom(new Rng(3), cnn);
      const x = tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 61);
      const vars = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
      const profile = await tf.profile(() => {
        const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
        const out = [value, ...vars.map((v) => grads[v.name]!)].map((t) => Array.from(t.dataSync()));
        tf.dispose([value, ...Object.values(grads)]);
        return out;
      });
      tf.dispose(x);
      model.weights.forEach((w) => w.dispose());
      const count = (name: string) => profile.kernels.filter((k) => k.name === name).length;
      return { values: profile.result as number[][], pool: count('KilnMaxPoolTraining'), poolGrad: count('KilnMaxPoolTrainingGrad'), stockPool: count('MaxPool'), backpropInput: count('Conv2DBackpropInput') };
    };
    const native = await run('tensorflow');
    const cpu = await run('cpu');
    await tf.setBackend('tensorflow');
    expect(native).toMatchObject({ pool: 1, poolGrad: 1, stockPool: 0 });
    // Two convs; only the second one's input depends on a weight.
    expect(native.backpropInput).toBe(1);
    expectCloseToCpu(native.values, cpu.values);
  });

  it('histogram of a constant tensor: one bucket [v-0.5, v+0.5, n] instead of a ConcatOp error; varied data still works', () => {
    const tfn = createRequire(import.meta.url)('@tensorflow/tfjs-node') as { node: { summaryFileWriter(dir: string): { histogram(n: string, d: tf.Tensor, s: number): void; flush(): void } } };
    const dir = mkdtempSync(join(tmpdir(), 'kiln-native-tb-'));
    const writer = tfn.node.summaryFileWriter(dir);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      writer.histogram('constant', tf.fill([5], 3), 0);
      writer.histogram('varied', tf.tensor1d([1, 2, 3, 4]), 0);
    });
    writer.flush();
    expect(tf.memory().numTensors).toBe(before);
    expect(readdirSync(dir).some((f) => f.startsWith('events.out.tfevents'))).toBe(true);
    const buckets = (tf.engine().findBackend('tensorflow') as unknown as { buckets(t: tf.Tensor): tf.Tensor }).buckets(tf.fill([5], 3));
    expect(Array.from(buckets.dataSync())).toEqual([2.5, 3.5, 5]);
    expect(existsSync(dir)).toBe(true);
  });

  it('trains a small CNN with a Kiln optimizer: loss falls and the tensor count stays flat', () => {
    // Seeded initialisation (KILN_TEST_SEED overrides it to check the property holds beyond one seed).
    const model = withSeededRandom(new Rng(Number(process.env.KILN_TEST_SEED ?? 3)), cnn);
    const opt = new Adam([{ name: 'all', variables: model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read()), lr: 0.01 }]);
    const x = tf.randomNormal([8, 16, 16, 3], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
    const losses: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) {
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
        opt.applyGradients(grads);
        return value;
      });
      losses.push(loss.dataSync()[0]);
      loss.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    expect(new Set(counts.slice(1)).size).toBe(1);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });

  it('goldenStep native vs cpu: same step up to float round-off (weights and gradients within 1e-4)', async () => {
    const r = await goldenStep(cnn, ['tensorflow', 'cpu'], 3, { batchSize: 4 });
    expect(r.variables.length).toBeGreaterThan(8);
    for (const v of r.variables) {
      expect(v.maxAbsDiff, v.name).toBeLessThan(1e-4);
      expect(v.maxAbsGradDiff, v.name).toBeLessThanOrEqual(1e-4 + 1e-4 * v.maxAbsGrad);
    }
    expect(Math.abs(r.loss[0] - r.loss[1])).toBeLessThan(1e-5);
    expect(tf.getBackend()).toBe('tensorflow');
  });
});
