import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFixture, summarize } from '@kiln/test-utils';
import { buildEfficientNet } from './efficientnet.js';
import { EFFICIENTNET_VARIANTS, type EfficientNetVariantName } from './variants.js';

const fixture = readFixture(new URL('../test/fixtures/keras-efficientnet.json', import.meta.url));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('EfficientNet against keras.applications (ImageNet top, native size)', () => {
  for (const variant of Object.keys(EFFICIENTNET_VARIANTS) as EfficientNetVariantName[]) {
    it(`${variant}: same layers (names, classes, output shapes, params) and parameter counts`, () => {
      const want = fixture[variant]!;
      const model = buildEfficientNet({ variant }); // built, never run
      try {
        const got = summarize(model);
        expect(got.inputShape).toEqual(want.inputShape);
        expect(got.layers.map((l) => l[0])).toEqual(want.layers.map((l) => l[0]));
        expect(got.layers).toEqual(want.layers);
        expect([got.totalParams, got.trainableParams, got.nonTrainableParams])
          .toEqual([want.totalParams, want.trainableParams, want.nonTrainableParams]);
        expect(model.countParams()).toBe(want.totalParams);
        const stages = Object.values((model.getUserDefinedMetadata() as { kiln: { stages: Record<string, string> } }).kiln.stages);
        for (const l of model.layers) expect([l.name, stages.filter((re) => new RegExp(re).test(l.name)).length]).toEqual([l.name, 1]);
      } finally {
        model.dispose();
      }
    });
  }
});
