import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { PluginHost, Rng, withSeededRandom } from '@kiln/core-trainer';
import { container } from 'tsyringe';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '@kiln/test-utils';
import { buildBaselineCnn } from './baseline-cnn.js';
import { CHEXNET_LABELS, buildCheXNet } from './chexnet.js';
import { buildDenseNet } from './densenet.js';
import plugin from './index.js';
import { buildResNet50 } from './resnet.js';

const fixture = readFixture(new URL('../test/fixtures/keras-densenet-resnet.json', import.meta.url));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('CheXNet, the baseline CNN and the factories', () => {
  it('CheXNet is DenseNet-121 without its top plus 14 sigmoid outputs', () => {
    const model = buildCheXNet();
    const keras121 = fixture.densenet121!;
    const top = 1024 * 1000 + 1000;
    expect(model.countParams()).toBe(keras121.totalParams - top + 1024 * 14 + 14);
    expect(model.outputs[0]!.shape).toEqual([null, 14]);
    expect(CHEXNET_LABELS).toHaveLength(14);
    expect(model.getLayer('predictions').getConfig().activation).toBe('sigmoid');
    // the backbone keeps Keras' names so ImageNet DenseNet-121 weights load by name
    expect(model.layers.slice(0, -2).map((l) => l.name)).toEqual(keras121.layers.slice(0, -2).map((l) => l[0]));
    model.dispose();
  });

  it('the baseline CNN has 5 weight layers and the parameter count of its definition', () => {
    const model = buildBaselineCnn({ inputShape: [32, 32, 1], numClasses: 3, filters: 8, units: 16 });
    const conv = (k: number, i: number, o: number): number => k * k * i * o + o;
    expect(model.layers.filter((l) => l.weights.length > 0).map((l) => l.name)).toEqual(['conv1', 'conv2', 'conv3', 'fc1', 'predictions']);
    expect(model.countParams()).toBe(conv(3, 1, 8) + conv(3, 8, 16) + conv(3, 16, 32) + (32 * 16 + 16) + (16 * 3 + 3));
    const p = tf.tidy(() => tf.sum(model.predict(tf.ones([2, 32, 32, 1])) as tf.Tensor, -1).arraySync());
    expect(p).toEqual([expect.closeTo(1, 5), expect.closeTo(1, 5)]);
    model.dispose();
  });

  it('the baseline CNN trains on cpu: a few Adam steps lower the loss, tensor count flat', async () => {
    const { trainSteps } = await import('@kiln/test-utils');
    // Seeded initialisation (KILN_TEST_SEED overrides it to check the property holds beyond one seed).
    // Constant zero/one images let about one init in 20 end with every ReLU dead (loss stuck at ln 2);
    // with the noisy inputs below, 30 of 30 seeds passed (checked with KILN_TEST_SEED=0..29).
    const seed = Number(process.env.KILN_TEST_SEED ?? 3);
    const model = withSeededRandom(new Rng(seed), () => buildBaselineCnn({ inputShape: [16, 16, 3], numClasses: 2, filters: 8, units: 8, dropout: 0 }));
    // Noise around -0.5 (class 0) and +0.5 (class 1): both signs reach the ReLUs, unlike constant images.
    const x = tf.tidy(() => tf.add(tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 7), tf.tensor4d([-0.5, -0.5, 0.5, 0.5], [4, 1, 1, 1])));
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 0, 1, 1], 'int32'), 2));
    const { losses, counts } = trainSteps(model, x, y, 10, 0.01);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
    expect(new Set(counts.slice(1)).size).toBe(1);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('registers its models; factories follow the dataset and the task', async () => {
    const host = new PluginHost(container.createChildContainer()).use(plugin);
    await host.setup();
    expect(host.registries.models.names()).toEqual(['chexnet', 'cnn-baseline', 'densenet', 'densenet121', 'densenet169', 'densenet201', 'resnet50']);
    const ctx = { inputShape: [64, 64, 3] as const, numClasses: 5, task: 'multilabel' as const };
    const resnet = host.registries.models.get('resnet50').create({}, ctx);
    expect(resnet.outputs[0]!.shape).toEqual([null, 5]);
    expect(resnet.getLayer('predictions').getConfig().activation).toBe('sigmoid');
    const chex = host.registries.models.get('chexnet').create({}, ctx);
    expect(chex.inputs[0]!.shape).toEqual([null, 64, 64, 3]);
    expect(chex.outputs[0]!.shape).toEqual([null, 5]);
    const d169 = host.registries.models.get('densenet169');
    const features = d169.create(d169.schema.parse({ includeTop: false, pooling: 'avg' }), { ...ctx, task: 'classification' });
    expect(features.outputs[0]!.shape).toEqual([null, 1664]);
    const cnn = host.registries.models.get('cnn-baseline').create({}, { ...ctx, task: 'classification' });
    expect(cnn.getLayer('predictions').getConfig().activation).toBe('softmax');
    tf.dispose([resnet, chex, features, cnn].flatMap((m) => m.weights.map((w) => w.read())));
  });

  it('rejects an unknown variant, a too-small input and bad options with coded errors', () => {
    expect(() => buildDenseNet({ variant: 100 as never })).toThrow(expect.objectContaining({
      code: 'KILN_MODEL_UNKNOWN_VARIANT', message: expect.stringMatching(/'variant'.*121, 169, 201/),
    }));
    expect(() => buildResNet50({ inputShape: [224, 16, 3] })).toThrow(expect.objectContaining({
      code: 'KILN_MODEL_INPUT_TOO_SMALL', message: expect.stringMatching(/'inputShape'.*≥ 32/),
    }));
    expect(() => buildBaselineCnn({ inputShape: [4, 4, 1] })).toThrow(expect.objectContaining({ code: 'KILN_MODEL_INPUT_TOO_SMALL' }));
    expect(() => buildCheXNet({ numClasses: 0 })).toThrow(expect.objectContaining({ code: 'KILN_MODEL_OPTIONS_INVALID', message: expect.stringMatching(/'numClasses'/) }));
    expect(() => buildResNet50({ depth: 101 } as never)).toThrow(expect.objectContaining({ code: 'KILN_MODEL_OPTIONS_INVALID' }));
  });
});
