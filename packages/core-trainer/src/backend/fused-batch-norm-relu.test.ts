import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUSED_BN_RELU_TRAIN, FUSED_BN_RELU_TRAIN_GRAD, FUSED_BN_TRAIN, FUSED_BN_TRAIN_GRAD, hasFusedBatchNormReluTraining, routeBatchNormTraining } from './fused-batch-norm.js';
import { backward, backwardRelu, forward, forwardRelu } from './test-utils/fused-bn-cpu.js';

type Build = () => tfl.LayersModel;
const init = (seed: number) => tfl.initializers.glorotNormal({ seed });
const conv = (x: tfl.SymbolicTensor, seed: number) => tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(seed) }).apply(x) as tfl.SymbolicTensor;
const bn = (x: tfl.SymbolicTensor) => tfl.layers.batchNormalization({ betaInitializer: tfl.initializers.constant({ value: -0.2 }) }).apply(x) as tfl.SymbolicTensor;
const head = (x: tfl.SymbolicTensor) => tfl.layers.dense({ units: 2, kernelInitializer: init(9) }).apply(tfl.layers.globalAveragePooling2d({}).apply(x)) as tfl.SymbolicTensor;

// The model shapes the decision covers. `fused` is how many BN layers should run the ReLU kernel.
const models: [string, number, Build][] = [
  ['conv → BN → ReLU', 1, () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    return tfl.model({ inputs: input, outputs: head(tfl.layers.reLU().apply(bn(conv(input, 1))) as tfl.SymbolicTensor) });
  }],
  ['conv → BN → Activation(relu), twice', 2, () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    let x = tfl.layers.activation({ activation: 'relu' }).apply(bn(conv(input, 1))) as tfl.SymbolicTensor;
    x = tfl.layers.activation({ activation: 'relu' }).apply(bn(conv(x, 2))) as tfl.SymbolicTensor;
    return tfl.model({ inputs: input, outputs: head(x) });
  }],
  ['the BN output is also a model output', 0, () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    const b = bn(conv(input, 1));
    return tfl.model({ inputs: input, outputs: [head(tfl.layers.reLU().apply(b) as tfl.SymbolicTensor), tfl.layers.flatten().apply(b) as tfl.SymbolicTensor] });
  }],
  ['the BN output also feeds a residual add', 0, () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    const b = bn(conv(input, 1));
    const r = tfl.layers.reLU().apply(b) as tfl.SymbolicTensor;
    return tfl.model({ inputs: input, outputs: head(tfl.layers.add().apply([r, b]) as tfl.SymbolicTensor) });
  }],
  ['ReLU(maxValue 6) and Activation(elu) are not plain ReLUs', 0, () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    let x = tfl.layers.reLU({ maxValue: 6 }).apply(bn(conv(input, 1))) as tfl.SymbolicTensor;
    x = tfl.layers.activation({ activation: 'elu' }).apply(bn(conv(x, 2))) as tfl.SymbolicTensor;
    return tfl.model({ inputs: input, outputs: head(x) });
  }],
  ['Sequential', 1, () => {
    const m = tfl.sequential();
    m.add(tfl.layers.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }));
    m.add(tfl.layers.batchNormalization({ betaInitializer: tfl.initializers.constant({ value: -0.2 }) }));
    m.add(tfl.layers.reLU());
    m.add(tfl.layers.globalAveragePooling2d({}));
    m.add(tfl.layers.dense({ units: 2, kernelInitializer: init(9) }));
    return m;
  }],
  ['a nested model with the pattern inside', 1, () => {
    const innerIn = tfl.input({ shape: [6, 6, 3] });
    const inner = tfl.model({ inputs: innerIn, outputs: tfl.layers.reLU().apply(bn(conv(innerIn, 1))) as tfl.SymbolicTensor });
    const input = tfl.input({ shape: [6, 6, 3] });
    return tfl.model({ inputs: input, outputs: head(inner.apply(input) as tfl.SymbolicTensor) });
  }],
];

/** One training step: outputs, loss, every weight's gradient, moving statistics after, prediction after; and the kernels run. */
async function step(build: Build) {
  const model = build();
  const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 4);
  const vars = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
  const p = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => {
      const out = model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
      return tf.addN((Array.isArray(out) ? out : [out]).map((o) => tf.sum(tf.square(o)))) as tf.Scalar;
    }, vars);
    const out = [value, ...vars.map((v) => grads[v.name]!)].map((t) => Array.from(t.dataSync()));
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  });
  const predicted = tf.tidy(() => { const o = model.predict(x) as tf.Tensor | tf.Tensor[]; return (Array.isArray(o) ? o : [o]).map((t) => Array.from(t.dataSync())); });
  const moving = model.nonTrainableWeights.map((w) => Array.from(w.read().dataSync()));
  x.dispose();
  model.weights.forEach((w) => w.dispose());
  const count = (k: string) => p.kernels.filter((e) => e.name === k).length;
  return { values: [...(p.result as number[][]), ...predicted, ...moving], fused: count(FUSED_BN_RELU_TRAIN), fusedGrad: count(FUSED_BN_RELU_TRAIN_GRAD), plainBn: count(FUSED_BN_TRAIN) };
}

const close = (a: number[][], b: number[][]) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => v.forEach((x, j) => expect(Math.abs(x - b[i]![j]!), `value ${i}[${j}]`).toBeLessThan(1e-5 * (1 + Math.abs(b[i]![j]!)))));
};

describe('fused batch norm + ReLU routing', () => {
  const unfused = new Map<string, Awaited<ReturnType<typeof step>>>();
  beforeAll(async () => {
    await tf.setBackend('cpu');
    routeBatchNormTraining(tfl);
    tf.registerKernel({ kernelName: FUSED_BN_TRAIN, backendName: 'cpu', kernelFunc: forward });
    tf.registerKernel({ kernelName: FUSED_BN_TRAIN_GRAD, backendName: 'cpu', kernelFunc: backward });
    for (const [name, , build] of models) unfused.set(name, await step(build)); // the backend has no ReLU kernels yet
    tf.registerKernel({ kernelName: FUSED_BN_RELU_TRAIN, backendName: 'cpu', kernelFunc: forwardRelu });
    tf.registerKernel({ kernelName: FUSED_BN_RELU_TRAIN_GRAD, backendName: 'cpu', kernelFunc: backwardRelu });
  });

  it('without the ReLU kernels, every BN runs the plain fused kernel', () => {
    expect([...unfused.values()].map((r) => r.fused)).toEqual(models.map(() => 0));
  });

  it.each(models)('%s: %i BN layer(s) fused; loss, gradients, moving statistics and predictions unchanged (1e-5)', async (name, fused, build) => {
    expect(hasFusedBatchNormReluTraining()).toBe(true);
    const r = await step(build);
    expect(r.fused).toBe(fused);
    expect(r.fusedGrad).toBe(fused);
    expect(r.plainBn).toBe(unfused.get(name)!.plainBn - fused);
    close(r.values, unfused.get(name)!.values);
  });

  it('leaks no tensors per step', async () => {
    const build = models[0]![2];
    await step(build);
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await step(build);
    expect(tf.memory().numTensors).toBe(n);
  });
});
