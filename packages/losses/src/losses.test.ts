import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { PluginHost, createRunContainer, isKilnError } from '@kiln/core-trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { BinaryCrossEntropyLoss, CrossEntropyLoss, DiceLoss, FocalLoss, WeightedSumLoss, balancedClassWeights, countLabels, lossFactories, lossesPlugin, resolveClassWeights } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const code = (c: string, arg?: string) => (e: unknown) => isKilnError(e, c as `KILN_${string}`) && (arg === undefined || (e as { details: { argument?: string } }).details.argument === arg);

describe('bad input gives coded errors naming the argument', () => {
  const logits = () => tf.tensor2d([[1, 2, 3], [0, 0, 1]]);
  it('rejects labels outside [0, C) and non-integer labels', () => {
    const ce = new CrossEntropyLoss({ fromLogits: true });
    expect(() => ce.compute(tf.tensor1d([0, 3], 'int32'), logits())).toThrow(expect.toSatisfy(code('KILN_LOSS_LABEL_RANGE', 'yTrue')));
    expect(() => ce.compute(tf.tensor1d([0, -1], 'int32'), logits())).toThrow(/\[0, 2\]/);
    expect(() => ce.compute(tf.tensor1d([0, 1.5]), logits())).toThrow(/whole numbers/);
    expect(() => new BinaryCrossEntropyLoss().compute(tf.tensor1d([0, 2]), tf.tensor1d([0.1, 0.2]))).toThrow(expect.toSatisfy(code('KILN_LOSS_LABEL_RANGE')));
  });
  it('rejects weights of the wrong length and unknown reductions', () => {
    expect(() => new CrossEntropyLoss({ classWeights: [1, 2] }).compute(tf.tensor1d([0, 1], 'int32'), logits()))
      .toThrow(expect.toSatisfy(code('KILN_LOSS_WEIGHTS_LENGTH', 'classWeights')));
    expect(() => new BinaryCrossEntropyLoss({ posWeight: [1, 2] }).compute(tf.ones([2, 3]), tf.ones([2, 3])))
      .toThrow(expect.toSatisfy(code('KILN_LOSS_WEIGHTS_LENGTH', 'posWeight')));
    expect(() => new DiceLoss({ reduction: 'avg' as never })).toThrow(expect.toSatisfy(code('KILN_LOSS_REDUCTION_UNKNOWN', 'reduction')));
    expect(() => new CrossEntropyLoss({ labelSmoothing: 1.5 })).toThrow(expect.toSatisfy(code('KILN_LOSS_INVALID_OPTION', 'labelSmoothing')));
    expect(() => new CrossEntropyLoss({ classWeights: 'balanced' })).toThrow(expect.toSatisfy(code('KILN_LOSS_BALANCED_NEEDS_COUNTS')));
  });
  it('rejects NaN predictions instead of returning NaN', () => {
    const nanPred = tf.tensor2d([[NaN, 0, 1], [0, 0, 1]]);
    expect(() => new CrossEntropyLoss({ fromLogits: true }).compute(tf.tensor1d([0, 1], 'int32'), nanPred)).toThrow(expect.toSatisfy(code('KILN_LOSS_NAN_PREDICTION', 'yPred')));
    expect(() => new DiceLoss().compute(tf.zeros([1, 2, 2, 1]), tf.fill([1, 2, 2, 1], NaN))).toThrow(expect.toSatisfy(code('KILN_LOSS_NAN_PREDICTION')));
  });
  it('rejects bad focal, unknown-class and weighted-sum options', () => {
    expect(() => new FocalLoss({ gamma: -1 })).toThrow(expect.toSatisfy(code('KILN_LOSS_INVALID_OPTION', 'gamma')));
    expect(() => new FocalLoss({ alpha: 2 })).toThrow(expect.toSatisfy(code('KILN_LOSS_INVALID_OPTION', 'alpha')));
    expect(() => new FocalLoss({ alpha: 0.5 }).compute(tf.tensor1d([0, 1], 'int32'), tf.tensor2d([[0.2, 0.8], [0.5, 0.5]])))
      .toThrow(expect.toSatisfy(code('KILN_LOSS_INVALID_OPTION', 'alpha')));
    expect(() => new FocalLoss({ alpha: [1, 2, 3] }).compute(tf.tensor1d([0, 1], 'int32'), tf.tensor2d([[0.2, 0.8], [0.5, 0.5]])))
      .toThrow(expect.toSatisfy(code('KILN_LOSS_WEIGHTS_LENGTH', 'alpha')));
    expect(() => resolveClassWeights('ce', 'balanced', [3, 4], { index: 5, weight: 1 })).toThrow(expect.toSatisfy(code('KILN_LOSS_WEIGHTS_LENGTH', 'unknownClass.index')));
    const f = lossFactories['weighted-sum'];
    expect(() => f.create(f.schema.parse({ losses: [{ name: 'dice', options: { smooth: -1 } }] }))).toThrow(expect.toSatisfy(code('KILN_LOSS_INVALID_OPTION', 'losses[].options.smooth')));
    expect(() => f.schema.parse({ losses: [{ name: 'hinge' }] })).toThrow(/dice/);
  });

  it('rejects incompatible shapes', () => {
    expect(() => new CrossEntropyLoss().compute(tf.zeros([3]), tf.zeros([2, 3]))).toThrow(expect.toSatisfy(code('KILN_LOSS_SHAPE_MISMATCH', 'yTrue')));
  });
});

describe('class weights', () => {
  it('computes balanced weights as scikit-learn (n / (C · count))', () => {
    expect(countLabels([0, 1, 1, 2, 1], 3)).toEqual([1, 3, 1]);
    expect(balancedClassWeights([1, 3, 1])).toEqual([5 / 3, 5 / 9, 5 / 3]);
    expect(() => balancedClassWeights([2, 0])).toThrow(expect.toSatisfy(code('KILN_LOSS_INVALID_OPTION', 'classCounts[1]')));
  });
});

describe('training use', () => {
  it('is differentiable and leaks no tensors over repeated steps', () => {
    const w = tf.variable(tf.randomNormal([4, 1, 1, 1], 0, 1, 'float32', 1));
    const masks = tf.tensor4d([1, 0, 1, 1, 0, 0, 1, 0], [2, 2, 2, 1]);
    const x = tf.randomNormal([2, 2, 2, 1], 0, 1, 'float32', 2);
    const loss = new WeightedSumLoss([{ loss: new BinaryCrossEntropyLoss({ fromLogits: true }) }, { loss: new DiceLoss({ fromLogits: true }), weight: 0.5 }]);
    const step = () => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => loss.compute(masks, tf.mul(x, tf.sum(w))) as tf.Scalar, [w]);
      expect(Number.isFinite(tf.sum(grads[w.name]).dataSync()[0])).toBe(true);
      return value.dataSync()[0];
    });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('registers its factories through the plugin host', async () => {
    const host = new PluginHost(createRunContainer()).use(lossesPlugin);
    await host.setup();
    expect(host.registries.losses.names().sort()).toEqual(['bce', 'bce-dice', 'cross-entropy', 'dice', 'focal', 'tversky', 'weighted-sum']);
    const f = host.registries.losses.get('cross-entropy');
    expect(() => f.schema.parse({ reduction: 'avg' })).toThrow();
    expect(f.create(f.schema.parse({ fromLogits: true })).name).toBe('cross-entropy');
  });
});
