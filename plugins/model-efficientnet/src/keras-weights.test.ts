import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadWeights } from '@kiln/core-trainer';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, readKerasOutputs } from '@kiln/test-utils';
import { buildEfficientNet } from './efficientnet.js';

const dir = new URL('../test/fixtures/keras-weights/', import.meta.url);
const h5 = fileURLToPath(new URL('efficientnetb0-block2b.weights.h5', dir));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Keras EfficientNetB0 weights in the Kiln EfficientNet', () => {
  it('loads the Keras weights by layer name and predicts as Keras (max |Δ| ≤ 1e-4)', async () => {
    const { x, y, lastLayer, params } = readKerasOutputs(new URL('efficientnetb0-block2b.json', dir));
    const full = buildEfficientNet({ variant: 'b0', inputShape: [32, 32, 3], includeTop: false });
    const model = tfl.model({ inputs: full.inputs, outputs: full.getLayer(lastLayer).output as tfl.SymbolicTensor });
    expect(model.countParams()).toBe(params);
    const report = await loadWeights(model, h5); // strict: every weight, Normalization included
    expect(report.matched).toContain('normalization/count');
    expect(report.matched).toContain('block1a_se_reduce/bias');
    expect(maxAbsDiff(model, x, y)).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, y]);
    full.dispose();
  });

  it('strict: false loads that backbone part into a full B0 with a new 7-class head', async () => {
    const model = buildEfficientNet({ variant: 'b0', inputShape: [32, 32, 3], numClasses: 7 });
    await expect(loadWeights(model, h5)).rejects.toMatchObject({ code: 'KILN_WEIGHTS_MISSING' });
    const report = await loadWeights(model, h5, { strict: false });
    expect(report.unexpected).toEqual([]);
    expect(report.matched.length).toBeGreaterThan(30);
    expect(report.missing).toContain('predictions/kernel');
    expect(report.missing).toContain('block3a_expand_conv/kernel');
    model.dispose();
  });
});
