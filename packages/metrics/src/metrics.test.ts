import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { PluginHost, createRunContainer, isKilnError } from '@kiln/core-trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { Accuracy, Auroc, ClassificationScore, DiceScore, RegressionMetric, SensitivityThreshold, metricsPlugin } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const code = (c: string, arg?: string) => (e: unknown) => isKilnError(e, c as `KILN_${string}`) && (arg === undefined || (e as { details: { argument?: string } }).details.argument === arg);

describe('streaming', () => {
  it('keeps a flat tensor count over many updates and reads nothing back until compute', async () => {
    const dice = new DiceScore();
    const acc = new Accuracy();
    const t = tf.tensor4d([1, 0, 1, 1], [1, 2, 2, 1]);
    const p = tf.tensor4d([0.9, 0.2, 0.4, 0.8], [1, 2, 2, 1]);
    dice.update(t, p);
    acc.update(t, p);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 40; i++) tf.tidy(() => { dice.update(t, p); acc.update(t, p); });
    expect(tf.memory().numTensors).toBe(before);
    expect(await dice.compute()).toBeCloseTo(0.8, 6); // tp 2, fp 0, fn 1 per batch
    expect(await acc.compute()).toBeCloseTo(0.75, 6);
  });

  it('keeps the tensor count flat for metrics that store scores (AUROC) and shifted sums (Pearson)', async () => {
    const auc = new Auroc();
    const r = new RegressionMetric('pearson');
    const t = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
    const p = tf.tensor2d([[0.9, 0.2], [0.4, 0.8], [0.7, 0.6]]);
    auc.update(t, p);
    r.update(t, p);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) tf.tidy(() => { auc.update(t, p); r.update(t, p); });
    expect(tf.memory().numTensors).toBe(before);
    expect(await auc.compute()).toBe(1);
    auc.reset();
    r.reset();
    expect(tf.memory().numTensors).toBe(before - 5);
  });

  it('is exact over the data set, not a mean of batch values', async () => {
    const acc = new Accuracy();
    acc.update(tf.tensor1d([0], 'int32'), tf.tensor2d([[0.9, 0.1]])); // 1/1
    acc.update(tf.tensor1d([0, 0, 0], 'int32'), tf.tensor2d([[0.1, 0.9], [0.1, 0.9], [0.1, 0.9]])); // 0/3
    expect(await acc.compute()).toBe(0.25);
  });
});

describe('bad input', () => {
  it('reports labels outside the class range and NaN predictions when computed', async () => {
    const acc = new Accuracy();
    acc.update(tf.tensor1d([0, 3], 'int32'), tf.tensor2d([[0.9, 0.1, 0], [0.1, 0.9, 0]]));
    await expect(acc.compute()).rejects.toSatisfy(code('KILN_METRIC_LABEL_RANGE', 'yTrue'));
    const dice = new DiceScore();
    dice.update(tf.tensor2d([[1], [0]]), tf.tensor2d([[NaN], [0.2]]));
    await expect(dice.compute()).rejects.toSatisfy(code('KILN_METRIC_NAN_PREDICTION', 'yPred'));
    const bin = new DiceScore();
    bin.update(tf.tensor2d([[2], [0]]), tf.tensor2d([[0.7], [0.2]]));
    await expect(bin.compute()).rejects.toThrow(/\{0, 1\}/);
  });

  it('rejects bad options, shapes and state', async () => {
    expect(() => new Accuracy({ topK: 0 })).toThrow(expect.toSatisfy(code('KILN_METRIC_INVALID_OPTION', 'topK')));
    expect(() => new DiceScore({ threshold: 1.5 })).toThrow(expect.toSatisfy(code('KILN_METRIC_INVALID_OPTION', 'threshold')));
    expect(() => new Accuracy({ topK: 4 }).update(tf.tensor1d([0], 'int32'), tf.tensor2d([[0.2, 0.3, 0.5]]))).toThrow(/exceeds the 3 classes/);
    expect(() => new Accuracy().update(tf.tensor1d([0, 1, 2], 'int32'), tf.tensor2d([[0.2, 0.8]]))).toThrow(expect.toSatisfy(code('KILN_METRIC_SHAPE_MISMATCH')));
    await expect(new DiceScore().compute()).rejects.toSatisfy(code('KILN_METRIC_EMPTY'));
    expect(() => new ClassificationScore('f1', { average: 'mean' as never })).toThrow(expect.toSatisfy(code('KILN_METRIC_INVALID_OPTION', 'average')));
    expect(() => new SensitivityThreshold({ targetSensitivity: 0 })).toThrow(expect.toSatisfy(code('KILN_METRIC_INVALID_OPTION', 'targetSensitivity')));
    const f1 = new ClassificationScore('f1', { average: 'binary' });
    f1.update(tf.tensor1d([0, 2], 'int32'), tf.tensor2d([[0.9, 0.1, 0], [0.1, 0.2, 0.7]]));
    await expect(f1.compute()).rejects.toSatisfy(code('KILN_METRIC_INVALID_OPTION', 'average'));
    const auc = new Auroc();
    auc.update(tf.tensor1d([1, 1]), tf.tensor1d([0.2, 0.9]));
    await expect(auc.compute()).rejects.toSatisfy(code('KILN_METRIC_EMPTY'));
    const bad = new Auroc();
    bad.update(tf.tensor1d([1, 3]), tf.tensor1d([0.2, 0.9]));
    await expect(bad.compute()).rejects.toSatisfy(code('KILN_METRIC_LABEL_RANGE', 'yTrue'));
    expect(() => new Accuracy().loadStateDict({ sums: [1, 2] })).toThrow(expect.toSatisfy(code('KILN_METRIC_STATE_INVALID')));
  });
});

it('registers its factories through the plugin host', async () => {
  const host = new PluginHost(createRunContainer()).use(metricsPlugin);
  await host.setup();
  expect(host.registries.metrics.names().sort()).toEqual([
    'accuracy', 'auroc', 'average-precision', 'confusion-matrix', 'dice', 'ece', 'f1', 'iou', 'mae', 'pearson', 'pixel-accuracy',
    'precision', 'recall', 'rmse', 'sensitivity', 'sensitivity-threshold', 'specificity',
  ]);
  const f = host.registries.metrics.get('accuracy');
  expect(f.create(f.schema.parse({ topK: 5 })).name).toBe('top5_accuracy');
  expect(() => f.schema.parse({ topk: 5 })).toThrow();
});
