import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '../optim/adam.js';
import { latestCheckpoint, listCheckpoints, loadModelFiles, readCheckpoint, saveModelFiles, verifyCheckpoint, writeCheckpoint } from './index.js';

let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'kiln-ckpt-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

function smallModel(seed = 1): tfl.LayersModel {
  const model = tfl.sequential({ layers: [
    tfl.layers.conv2d({ filters: 3, kernelSize: 3, inputShape: [6, 6, 2], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
    tfl.layers.flatten(), tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: 'ones' }),
  ] });
  return model;
}

async function weightsOf(model: tfl.LayersModel): Promise<number[][]> {
  return Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
}

const tmp = async (name: string): Promise<string> => {
  const d = join(root, name);
  await mkdir(d, { recursive: true });
  return d;
};

describe('model files', () => {
  it('round-trips a layers model through model.json + weights.bin with identical weights and predictions', async () => {
    const model = smallModel();
    const dir = join(await tmp('model'), 'final');
    await saveModelFiles(model, dir);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect((await readFile(join(dir, 'weights.bin'))).byteLength).toBe(model.countParams() * 4);
    const again = await loadModelFiles(dir);
    expect(await weightsOf(again)).toEqual(await weightsOf(model));
    const x = tf.randomUniform([2, 6, 6, 2], 0, 1, 'float32', 3);
    expect(await (again.predict(x) as tf.Tensor).data()).toEqual(await (model.predict(x) as tf.Tensor).data());
  });
});

async function adamAfterOneStep(model: tfl.LayersModel): Promise<Adam> {
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const adam = new Adam([{ name: 'all', variables: vars, lr: 0.01 }]);
  const x = tf.randomUniform([2, 6, 6, 2], 0, 1, 'float32', 5);
  const { grads, value } = tf.variableGrads(() => tf.mean(model.predict(x) as tf.Tensor) as tf.Scalar, vars);
  adam.applyGradients(grads);
  tf.dispose([value, ...Object.values(grads), x]);
  return adam;
}

describe('writeCheckpoint / readCheckpoint', () => {
  it('restores model, optimizer tensors and trainer state (non-finite numbers included) exactly', async () => {
    const model = smallModel();
    const adam = await adamAfterOneStep(model);
    const optimizerState = adam.stateDict();
    const dir = join(await tmp('rt'), 'checkpoints', 'last');
    const trainerState = { epoch: 2, globalStep: 17, rng: [1, 2, 3, 4], best: Infinity, worst: -Infinity, odd: Number.NaN, nested: { list: [0.1, null] } };
    await writeCheckpoint(dir, { model, optimizerState, trainerState });
    const { manifest } = await verifyCheckpoint(dir);
    expect(Object.keys(manifest.files).sort()).toEqual(['model.json', 'optimizer.bin', 'optimizer.json', 'trainer-state.json', 'weights.bin']);
    expect(manifest.globalStep).toBe(17);

    const ckpt = await readCheckpoint(dir);
    expect(await weightsOf(ckpt.model)).toEqual(await weightsOf(model));
    expect(ckpt.trainerState).toEqual(trainerState);
    expect(ckpt.optimizerState!.meta).toEqual(optimizerState.meta);
    expect(Object.keys(ckpt.optimizerState!.tensors).sort()).toEqual(Object.keys(optimizerState.tensors).sort());
    for (const [k, t] of Object.entries(optimizerState.tensors)) expect(await ckpt.optimizerState!.tensors[k].data()).toEqual(await t.data());
    const fresh = new Adam(adam.groups);
    fresh.loadStateDict(ckpt.optimizerState!);
    expect(fresh.stateDict().meta).toEqual(optimizerState.meta);
  });

  it('replaces an existing checkpoint and leaves no temp or old directories behind', async () => {
    const parent = await tmp('replace');
    const dir = join(parent, 'last');
    await writeCheckpoint(dir, { model: smallModel(1), trainerState: { globalStep: 1 } });
    const second = smallModel(7);
    await writeCheckpoint(dir, { model: second, trainerState: { globalStep: 2 } });
    expect(await readdir(parent)).toEqual(['last']);
    const ckpt = await readCheckpoint(dir);
    expect(ckpt.trainerState).toEqual({ globalStep: 2 });
    expect(ckpt.optimizerState).toBeUndefined();
    expect(await weightsOf(ckpt.model)).toEqual(await weightsOf(second));
  });

  const damage: [string, string, (dir: string) => Promise<void>, RegExp][] = [
    ['a truncated weights.bin', 'weights.bin', (d) => truncate(join(d, 'weights.bin'), 10), /weights\.bin has 10 bytes/],
    ['an altered optimizer.bin', 'optimizer.bin', async (d) => {
      const b = await readFile(join(d, 'optimizer.bin'));
      b[3] ^= 1;
      await writeFile(join(d, 'optimizer.bin'), b);
    }, /optimizer\.bin does not match its sha256/],
    ['a missing trainer-state.json', 'trainer-state.json', (d) => rm(join(d, 'trainer-state.json')), /trainer-state\.json is missing/],
    ['a missing manifest', 'manifest.json', (d) => rm(join(d, 'manifest.json')), /manifest\.json is missing/],
    ['a truncated manifest', 'manifest.json', (d) => truncate(join(d, 'manifest.json'), 40), /manifest\.json is not valid JSON/],
  ];
  for (const [what, file, hurt, message] of damage) {
    it(`refuses ${what} with KILN_CHECKPOINT_CORRUPT naming the file`, async () => {
      const model = smallModel();
      const adam = await adamAfterOneStep(model);
      const dir = join(await tmp(`bad-${file}-${what.length}`), 'c');
      await writeCheckpoint(dir, { model, optimizerState: adam.stateDict(), trainerState: { globalStep: 1 } });
      await hurt(dir);
      const err = await readCheckpoint(dir).then(() => undefined, (e) => e);
      expect(err).toMatchObject({ code: 'KILN_CHECKPOINT_CORRUPT', details: { file: join(dir, file) } });
      expect(err.message).toMatch(message);
    });
  }

  it('says there is no checkpoint for a directory without one', async () => {
    await expect(readCheckpoint(await tmp('empty'))).rejects.toMatchObject({ code: 'KILN_CHECKPOINT_NOT_FOUND' });
  });
});

describe('listCheckpoints / latestCheckpoint', () => {
  it('takes the highest-step verified checkpoint, skipping and reporting corrupt and unfinished ones', async () => {
    const run = await tmp('run');
    const ckpts = join(run, 'checkpoints');
    const model = smallModel();
    await writeCheckpoint(join(ckpts, 'epoch=001'), { model, trainerState: { globalStep: 10 } });
    await writeCheckpoint(join(ckpts, 'epoch=002'), { model, trainerState: { globalStep: 20 } });
    await writeCheckpoint(join(ckpts, 'epoch=003'), { model, trainerState: { globalStep: 30 } });
    await truncate(join(ckpts, 'epoch=003', 'weights.bin'), 1);
    await mkdir(join(ckpts, '.epoch=004.tmp-1-abcd'));
    await writeFile(join(ckpts, '.epoch=004.tmp-1-abcd', 'model.json'), '{');

    const { checkpoints, skipped } = await listCheckpoints(run);
    expect(checkpoints.map((c) => c.id)).toEqual(['epoch=001', 'epoch=002']);
    expect(skipped.map((s) => [s.reason, s.path.split('/').at(-1)])).toEqual([['incomplete', '.epoch=004.tmp-1-abcd'], ['corrupt', 'epoch=003']]);
    expect(skipped[1].message).toMatch(/weights\.bin/);
    const latest = await latestCheckpoint(run);
    expect(latest.checkpoint?.id).toBe('epoch=002');
    expect((await latestCheckpoint(await tmp('no-run'))).checkpoint).toBeUndefined();
  });
});
