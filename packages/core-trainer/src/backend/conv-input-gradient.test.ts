import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { dependsOnVariable, routeConvInputGradients } from './conv-input-gradient.js';

// conv (linear, no bias: the image-facing conv) → BN → ReLU → conv (linear, bias, stride 2)
// → conv (ReLU, bias) → GAP → dense. Seeded initialisers, so two builds have the same weights.
function build(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotNormal({ seed });
  const input = tfl.input({ shape: [8, 8, 3] });
  let x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(tfl.layers.batchNormalization().apply(x)) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'valid', biasInitializer: 'ones', kernelInitializer: init(2) }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 3, kernelSize: 1, activation: 'relu', biasInitializer: 'ones', kernelInitializer: init(3) }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 2, kernelInitializer: init(4) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

const images = () => tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 7);

/** Gradients of a sum-of-squares loss for every trainable weight, the prediction, and the kernels run. */
async function gradients(model: tfl.LayersModel, x: tf.Tensor, preprocess = false) {
  const vars = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
  const p = await tf.profile(() => {
    const { grads, value } = tf.variableGrads(() => {
      const input = preprocess ? tf.mul(tf.add(x, 1), 0.5) : x; // recorded on the tape, but constant
      return tf.sum(tf.square(model.apply(input, { training: true }) as tf.Tensor)) as tf.Scalar;
    }, vars);
    const out = vars.map((v) => Array.from(grads[v.name]!.dataSync()));
    out.push([value.dataSync()[0]!]);
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  });
  const backpropInput = p.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length;
  return { values: p.result as number[][], backpropInput };
}

const same = (a: number[][], b: number[][]) => a.forEach((v, i) => v.forEach((x, j) =>
  expect(Math.abs(x - b[i]![j]!), `value ${i}[${j}]`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(b[i]![j]!)))));

describe('routeConvInputGradients', () => {
  let before: Awaited<ReturnType<typeof gradients>>;
  let beforePreprocessed: Awaited<ReturnType<typeof gradients>>;
  let beforePredict: number[];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const x = images();
    const model = build();
    before = await gradients(model, x);
    beforePreprocessed = await gradients(build(), x, true);
    beforePredict = Array.from((build().predict(x) as tf.Tensor).dataSync()); // fresh: training moved BN's averages
    routeConvInputGradients(tfl);
    routeConvInputGradients(tfl); // idempotent
  });

  it('without routing, tfjs computes the unused input gradient of the image-facing conv', () => {
    // conv 1 (fused, linear) computes it needlessly; convs 2 and 3 need theirs.
    expect(before.backpropInput).toBe(3);
  });

  it('skips the image-facing conv\'s input gradient, with the same gradients for every weight', async () => {
    const after = await gradients(build(), images());
    expect(after.backpropInput).toBe(2);
    same(after.values, before.values);
  });

  it('also skips it when the input was computed on the tape from constants', async () => {
    const after = await gradients(build(), images(), true);
    expect(after.backpropInput).toBe(2);
    same(after.values, beforePreprocessed.values);
  });

  it('leaves inference unchanged', () => {
    const x = images();
    expect(Array.from((build().predict(x) as tf.Tensor).dataSync())).toEqual(beforePredict);
  });

  it('leaks no tensors per step', async () => {
    const model = build();
    const x = images();
    await gradients(model, x);
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await gradients(model, x);
    expect(tf.memory().numTensors).toBe(n);
  });
});

describe('dependsOnVariable', () => {
  it('follows the tape from a tensor back to variables, and not past constants', () => {
    const v = tf.variable(tf.ones([2]));
    const c = tf.ones([2]);
    const seen: boolean[] = [];
    tf.variableGrads(() => {
      const tape = (tf.engine().state as unknown as { activeTape: Parameters<typeof dependsOnVariable>[1] }).activeTape;
      const fromConst = tf.mul(tf.add(c, 1), 2);
      const fromVar = tf.mul(tf.add(tf.mul(v, 3), fromConst), 2);
      seen.push(dependsOnVariable(c, tape), dependsOnVariable(fromConst, tape), dependsOnVariable(v, tape), dependsOnVariable(fromVar, tape));
      return tf.sum(fromVar) as tf.Scalar;
    }, [v]);
    expect(seen).toEqual([false, false, true, true]);
  });
});
