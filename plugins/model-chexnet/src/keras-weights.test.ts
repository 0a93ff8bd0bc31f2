import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadWeights } from '@kiln/core-trainer';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, readKerasOutputs } from '@kiln/test-utils';
import { buildCheXNet } from './chexnet.js';
import { buildDenseNet } from './densenet.js';
import { buildResNet50 } from './resnet.js';

const dir = new URL('../test/fixtures/keras-weights/', import.meta.url);
const file = (name: string): string => fileURLToPath(new URL(name, dir));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cases: [string, () => tfl.LayersModel][] = [
  ['densenet121-pool2', () => buildDenseNet({ variant: 121, inputShape: [32, 32, 3], includeTop: false })],
  ['resnet50-conv2', () => buildResNet50({ inputShape: [32, 32, 3], includeTop: false })],
];

describe('Keras DenseNet121 / ResNet50 weights in the Kiln models', () => {
  for (const [name, build] of cases) {
    it(`${name}: loads by layer name and predicts as Keras (max |Δ| ≤ 1e-4)`, async () => {
      const { x, y, lastLayer, params } = readKerasOutputs(new URL(`${name}.json`, dir));
      const full = build();
      const model = tfl.model({ inputs: full.inputs, outputs: full.getLayer(lastLayer).output as tfl.SymbolicTensor });
      expect(model.countParams()).toBe(params);
      const report = await loadWeights(model, file(`${name}.weights.h5`));
      expect(report.missing).toEqual([]);
      expect(maxAbsDiff(model, x, y)).toBeLessThanOrEqual(1e-4);
      tf.dispose([x, y]);
      full.dispose();
    });
  }

  it('CheXNet takes DenseNet-121 weights with strict: false and keeps its new head; a 1-channel CheXNet is refused', async () => {
    const model = buildCheXNet({ inputShape: [32, 32, 3] });
    const report = await loadWeights(model, file('densenet121-pool2.weights.h5'), { strict: false });
    expect(report.unexpected).toEqual([]);
    expect(report.matched).toContain('conv2_block6_2_conv/kernel');
    expect(report.missing).toContain('predictions/kernel');
    model.dispose();
    const gray = buildCheXNet({ inputShape: [32, 32, 1] });
    await expect(loadWeights(gray, file('densenet121-pool2.weights.h5'), { strict: false })).rejects.toMatchObject({
      code: 'KILN_WEIGHTS_SHAPE_MISMATCH', message: expect.stringMatching(/conv1_conv\/kernel.*expect 3 input channels.*inputShape \[h, w, 3\]/),
    });
    gray.dispose();
  });
});
