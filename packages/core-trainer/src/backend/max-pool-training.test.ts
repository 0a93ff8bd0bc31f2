import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_POOL_TRAIN, MAX_POOL_TRAIN_GRAD, hasMaxPoolTraining, routeMaxPoolTraining } from './max-pool-training.js';

// The contract implemented for 'cpu' with tfjs's own kernels. The workspace is a marker the
// gradient checks, so the test sees it travel from the forward to the gradient.
const MARK = 7;
const forward: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const a = attrs as unknown as { filterSize: [number, number]; strides: [number, number]; pad: 'same' | 'valid' };
  const y = tf.getKernel('MaxPool', 'cpu')!.kernelFunc({ inputs, attrs: { filterSize: a.filterSize, strides: a.strides, pad: a.pad, dimRoundingMode: null } as unknown as tf.NamedAttrMap, backend }) as tf.TensorInfo;
  const workspace = (backend as unknown as { makeTensorInfo(s: number[], d: string, v: Int32Array): tf.TensorInfo }).makeTensorInfo([1], 'int32', new Int32Array([MARK]));
  return [y, workspace];
};
const backward: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { dy, x, y, workspace } = inputs as Record<string, tf.TensorInfo>;
  const mark = (backend as unknown as { readSync(id: object): Int32Array }).readSync(workspace!.dataId)[0];
  if (mark !== MARK) throw new Error(`workspace did not reach the gradient (got ${mark})`);
  const a = attrs as unknown as { filterSize: [number, number]; strides: [number, number]; pad: 'same' | 'valid' };
  return tf.getKernel('MaxPoolGrad', 'cpu')!.kernelFunc({ inputs: { dy: dy!, input: x!, output: y! }, attrs: { ...a, dimRoundingMode: null } as unknown as tf.NamedAttrMap, backend }) as tf.TensorInfo;
};

function build(poolSize: number, strides: number, padding: 'same' | 'valid'): tfl.LayersModel {
  const input = tfl.input({ shape: [7, 9, 3] });
  const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }) }).apply(input) as tfl.SymbolicTensor;
  const pooled = tfl.layers.maxPooling2d({ poolSize, strides, padding }).apply(conv) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: pooled });
}

/** Output and weight gradients of one loss for each case, and the kernels run. */
async function run(cases: [number, number, 'same' | 'valid'][]) {
  const x = tf.randomNormal([2, 7, 9, 3], 0, 1, 'float32', 5);
  const p = await tf.profile(() => cases.map(([f, s, pad]) => {
    const model = build(f, s, pad);
    const vars = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
    const out = [value, ...vars.map((v) => grads[v.name]!)].map((t) => Array.from(t.dataSync()));
    tf.dispose([value, ...Object.values(grads)]);
    const predicted = tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()));
    model.weights.forEach((w) => w.dispose());
    return [...out, predicted];
  }));
  x.dispose();
  return { values: p.result as number[][][], kernels: p.kernels.map((k) => k.name) };
}

const cases: [number, number, 'same' | 'valid'][] = [[2, 2, 'valid'], [2, 2, 'same'], [3, 2, 'same'], [3, 1, 'valid']];

describe('routeMaxPoolTraining', () => {
  let stock: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    routeMaxPoolTraining(tfl);
    stock = await run(cases); // routed, but the backend has no kernels yet: tfjs-layers' own path
    tf.registerKernel({ kernelName: MAX_POOL_TRAIN, backendName: 'cpu', kernelFunc: forward });
    tf.registerKernel({ kernelName: MAX_POOL_TRAIN_GRAD, backendName: 'cpu', kernelFunc: backward });
  });
  afterAll(() => {
    for (const k of [MAX_POOL_TRAIN, MAX_POOL_TRAIN_GRAD]) if (tf.getKernel(k, 'cpu')) tf.unregisterKernel(k, 'cpu');
  });

  it('keeps tfjs-layers\' path on a backend without the kernels', () => {
    expect(stock.kernels).not.toContain(MAX_POOL_TRAIN);
    expect(stock.kernels).toContain('MaxPool');
  });

  it('runs the training kernels under a gradient tape, handing the workspace to the gradient, with tfjs-layers\' results', async () => {
    expect(hasMaxPoolTraining()).toBe(true);
    const routed = await run(cases);
    expect(routed.kernels.filter((k) => k === MAX_POOL_TRAIN)).toHaveLength(cases.length);
    expect(routed.kernels.filter((k) => k === MAX_POOL_TRAIN_GRAD)).toHaveLength(cases.length);
    // predict (no tape) still runs MaxPool, once per case.
    expect(routed.kernels.filter((k) => k === 'MaxPool')).toHaveLength(cases.length);
    routed.values.forEach((c, i) => c.forEach((v, j) => v.forEach((a, k) =>
      expect(Math.abs(a - stock.values[i]![j]![k]!), `case ${cases[i]} output ${j}[${k}]`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(stock.values[i]![j]![k]!))))));
  });

  it('leaks no tensors per step (the workspace goes with the tape)', async () => {
    await run(cases.slice(0, 1));
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await run(cases.slice(0, 1));
    expect(tf.memory().numTensors).toBe(n);
  });
});
