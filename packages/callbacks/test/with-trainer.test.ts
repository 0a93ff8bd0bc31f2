// The callbacks driven by the real Trainer (core-trainer) with real checkpoints in a temp run dir.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Adam, type Batch, type BatchSource, type Loss, Rng, SupervisedModule, Trainer, latestCheckpoint, readCheckpoint, writeCheckpoint } from '@kiln/core-trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EarlyStopping, History, ModelCheckpoint, NaNGuard, ProgressPrinter, TensorLeakGuard } from '../src/index.js';
import { sink } from '../src/test-utils/context.js';

let runDir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  runDir = await mkdtemp(join(tmpdir(), 'kiln-cb-run-'));
});
afterAll(() => rm(runDir, { recursive: true, force: true }));

function blobs(n: number, seed: number): BatchSource {
  const rng = new Rng(seed);
  const xs = Array.from({ length: n }, (_, i) => Array.from({ length: 4 }, () => rng.normal() * 0.7 + (i % 2 ? 1 : -1)));
  return {
    spec: { inputShape: [1, 1, 4], task: 'classification', numClasses: 2, targetShape: [], targetDtype: 'int32' },
    batchSize: 8, numBatches: Math.ceil(n / 8),
    async *epoch(epoch: number, start = 0): AsyncGenerator<Batch> {
      const order = new Rng(seed).fork(epoch).shuffle([...Array(n).keys()]);
      for (let b = start; b * 8 < n; b++) {
        const idx = order.slice(b * 8, b * 8 + 8);
        yield { x: tf.tensor2d(idx.map((k) => xs[k])), y: tf.tensor1d(idx.map((k) => k % 2), 'int32'), size: idx.length };
      }
    },
  };
}

const ce: Loss = { name: 'ce', compute: (y, p) => tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(y as tf.Tensor1D, 2), tf.log(tf.add(p, 1e-7))), -1)))) };
const module = (seed: number) => new SupervisedModule({
  model: tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [4], units: 6, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
    tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
  ] }),
  loss: ce, lr: 0.02, optimizer: (g) => new Adam(g),
});

function callbacks(out: { write(s: string): boolean }) {
  const history = new History();
  const es = new EarlyStopping({ monitor: 'val_loss', patience: 2, minDelta: 10 }); // only the first epoch "improves"
  const mc = new ModelCheckpoint({ monitor: 'val_loss', filename: '{epoch:02d}-{val_loss:.4f}', saveTopK: 2, saveLast: true });
  return { history, es, mc, list: [new ProgressPrinter({ stream: out, maxEpochs: 6 }), history, es, mc, new NaNGuard(), new TensorLeakGuard({ action: 'fail' })] };
}

describe('callbacks with the real Trainer', () => {
  it('stop early, checkpoint the best two and last with their own state, and continue exactly that state on resume', async () => {
    const out = sink();
    const first = callbacks(out);
    const writer = writeCheckpoint;
    const r1 = await new Trainer({ maxEpochs: 6, numSanityValSteps: 0 }, { callbacks: first.list, runDir, checkpointWriter: writer }).fit(module(3), blobs(48, 1), blobs(16, 2));
    expect(r1.stopReason).toBe('early_stopping');
    expect(first.history.records.map((r) => r.epoch)).toEqual([0, 1, 2]);
    expect(out.text.split('\n').filter(Boolean).map((l) => l.split('  ')[0])).toEqual(['epoch 1/6', 'epoch 2/6', 'epoch 3/6']);
    const ckpts = join(runDir, 'checkpoints');
    const kept = first.mc.kept.map((k) => k.path.split('/').at(-1));
    expect((await readdir(ckpts)).sort()).toEqual([...kept, 'last'].sort());
    expect(kept).toHaveLength(2);
    expect(first.mc.bestModelScore).toBe(Math.min(...first.history.series('val_loss')));

    const { checkpoint } = await latestCheckpoint(runDir);
    expect(checkpoint?.id).toBe('last');
    const ckpt = await readCheckpoint(checkpoint!.path);
    const state = ckpt.trainerState as { epoch: number; callbacks: Record<string, unknown> };
    expect(state.epoch).toBe(3);
    expect(Object.keys(state.callbacks).sort()).toEqual(['early-stopping:val_loss', 'history', 'model-checkpoint:val_loss']);

    const second = callbacks(sink());
    const resumed = module(99);
    resumed.model.setWeights(ckpt.model.getWeights());
    const r2 = await new Trainer({ maxEpochs: 6, numSanityValSteps: 0 }, { callbacks: second.list, runDir, checkpointWriter: writer })
      .fit(resumed, blobs(48, 1), blobs(16, 2), { trainerState: ckpt.trainerState as never, optimizerState: ckpt.optimizerState! });
    // EarlyStopping resumed with wait = 2 of patience 2: the next epoch without improvement stops it again
    expect(r2.stopReason).toBe('early_stopping');
    expect(second.es.stoppedEpoch).toBe(3);
    expect(second.history.records.map((r) => r.epoch)).toEqual([0, 1, 2, 3]);
    expect(second.mc.kept).toHaveLength(2);
  });
});
