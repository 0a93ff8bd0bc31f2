import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelFiles } from '../checkpoint/model-files.js';
import { TINY_H5, readOutputFixture, tinyModel } from './test-utils/tiny-model.js';
import { loadWeights, readWeights } from './load.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'kiln-weights-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadWeights from a Keras .weights.h5', () => {
  it('loads every weight by layer name and predicts as Keras did (max |Δ| ≤ 1e-4)', async () => {
    const model = tinyModel();
    const report = await loadWeights(model, TINY_H5);
    expect(report.format).toBe('keras-h5');
    expect(report.matched).toEqual([
      'conv/kernel', 'conv/bias', 'bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance', 'dw/depthwise_kernel', 'predictions/kernel', 'predictions/bias',
    ]);
    expect([report.missing, report.unexpected, report.mismatched]).toEqual([[], [], []]);
    const { x, y } = readOutputFixture(new URL('./test-utils/tiny.json', import.meta.url));
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, y))).dataSync()[0]!);
    expect(diff).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('rejects a channel mismatch naming the layer, both shapes and the channel count that works', async () => {
    const model = tinyModel({ channels: 1 });
    const before = model.getLayer('bn').getWeights()[0]!.dataSync().slice();
    await expect(loadWeights(model, TINY_H5)).rejects.toMatchObject({
      code: 'KILN_WEIGHTS_SHAPE_MISMATCH',
      message: expect.stringMatching(/'conv\/kernel' has shape \[3, 3, 2, 4\].*\[3, 3, 1, 4\].*expect 2 input channels.*inputShape \[h, w, 2\]/),
    });
    expect(model.getLayer('bn').getWeights()[0]!.dataSync()).toEqual(before); // nothing written
    model.dispose();
  });

  it('strict mode reports missing and unexpected weights; strict: false loads the backbone and keeps a new head', async () => {
    const renamed = tinyModel({ headName: 'new_head' });
    await expect(loadWeights(renamed, TINY_H5)).rejects.toMatchObject({ code: 'KILN_WEIGHTS_MISSING', message: expect.stringMatching(/new_head\/kernel.*strict: false/) });
    const r1 = await loadWeights(renamed, TINY_H5, { strict: false });
    expect(r1.missing).toEqual(['new_head/kernel', 'new_head/bias']);
    expect(r1.unexpected).toEqual(['predictions/0', 'predictions/1']);
    expect(r1.matched).toHaveLength(7);

    const fourteen = tinyModel({ classes: 14 });
    await expect(loadWeights(fourteen, TINY_H5)).rejects.toMatchObject({ code: 'KILN_WEIGHTS_SHAPE_MISMATCH', message: expect.stringMatching(/class count\?.*strict: false/) });
    const head = fourteen.getLayer('predictions').getWeights()[0]!.dataSync().slice();
    const r2 = await loadWeights(fourteen, TINY_H5, { strict: false });
    expect(r2.mismatched).toEqual([
      { name: 'predictions/kernel', fileShape: [4, 3], modelShape: [4, 14] },
      { name: 'predictions/bias', fileShape: [3], modelShape: [14] },
    ]);
    expect(fourteen.getLayer('predictions').getWeights()[0]!.dataSync()).toEqual(head);
    expect(r2.matched).toHaveLength(7);
    const r3 = await loadWeights(tinyModel({ classes: 14 }), TINY_H5, { skip: ['pred*'], strict: false });
    expect([r3.mismatched, r3.unexpected, r3.missing]).toEqual([[], [], []]);
    tf.dispose([renamed, fourteen].flatMap((m) => m.weights.map((w) => w.read())));
  });

  it('reads and writes the tfjs layers format by weight name', async () => {
    const source = tinyModel();
    await loadWeights(source, TINY_H5);
    await saveModelFiles(source, join(dir, 'tiny'));
    const target = tinyModel();
    const report = await loadWeights(target, join(dir, 'tiny'));
    expect(report.format).toBe('tfjs');
    expect(report.matched).toHaveLength(9);
    for (const [a, b] of source.weights.map((w, i) => [w, target.weights[i]!] as const)) {
      expect(b.read().dataSync()).toEqual(a.read().dataSync());
    }
    const set = await readWeights(join(dir, 'tiny', 'model.json'));
    expect(set.layers.get('bn')!.map((w) => w.name)).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance']);
  });

  it('names a missing file and an unknown format with their codes', async () => {
    await expect(loadWeights(tinyModel(), join(dir, 'nope.weights.h5'))).rejects.toMatchObject({ code: 'KILN_WEIGHTS_NOT_FOUND', message: expect.stringMatching(/nope\.weights\.h5/) });
    await writeFile(join(dir, 'x.bin'), 'abc');
    await expect(loadWeights(tinyModel(), join(dir, 'x.bin'))).rejects.toMatchObject({ code: 'KILN_WEIGHTS_FORMAT_UNKNOWN' });
    await writeFile(join(dir, 'fake.h5'), 'not hdf5');
    await expect(loadWeights(tinyModel(), join(dir, 'fake.h5'))).rejects.toMatchObject({ code: 'KILN_WEIGHTS_FORMAT_UNKNOWN' });
  });
});
