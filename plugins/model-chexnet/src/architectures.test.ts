import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFixture, summarize } from '@kiln/test-utils';
import { buildDenseNet } from './densenet.js';
import { buildResNet50 } from './resnet.js';

const fixture = readFixture(new URL('../test/fixtures/keras-densenet-resnet.json', import.meta.url));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cases: [string, () => tfl.LayersModel][] = [
  ['densenet121', () => buildDenseNet({ variant: 121 })],
  ['densenet169', () => buildDenseNet({ variant: '169' })],
  ['densenet201', () => buildDenseNet({ variant: 'densenet201' })],
  ['resnet50', () => buildResNet50()],
];

describe('DenseNet and ResNet-50 against keras.applications (ImageNet top, 224×224)', () => {
  for (const [name, build] of cases) {
    it(`${name}: same layers (names, classes, output shapes, params) and parameter counts`, () => {
      const want = fixture[name]!;
      const model = build(); // built, never run
      try {
        const got = summarize(model);
        expect(got.inputShape).toEqual(want.inputShape);
        expect(got.layers.map((l) => l[0])).toEqual(want.layers.map((l) => l[0]));
        expect(got.layers).toEqual(want.layers);
        expect([got.totalParams, got.trainableParams, got.nonTrainableParams])
          .toEqual([want.totalParams, want.trainableParams, want.nonTrainableParams]);
        const stages = Object.values((model.getUserDefinedMetadata() as { kiln: { stages: Record<string, string> } }).kiln.stages);
        for (const l of model.layers) expect([l.name, stages.filter((re) => new RegExp(re).test(l.name)).length]).toEqual([l.name, 1]);
      } finally {
        model.dispose();
      }
    });
  }
});
