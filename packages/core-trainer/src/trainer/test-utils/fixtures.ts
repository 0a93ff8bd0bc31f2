// Test helpers for the trainer: a tiny deterministic batch source and model (not exported).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Batch, BatchSource, DatasetSpec } from '../../contracts/dataset.js';
import type { Loss } from '../../contracts/loss.js';
import { Adam } from '../../optim/adam.js';
import { Rng } from '../../rng.js';
import type { TrainerSnapshot, TrainerStateJson } from '../state.js';
import { SupervisedModule } from '../supervised-module.js';

/** Two Gaussian blobs in 4-D; label = which blob. Deterministic in (seed, epoch). */
export function blobSource(n = 64, batchSize = 8, seed = 1): BatchSource {
  const rng = new Rng(seed);
  const xs = new Float32Array(n * 4);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    ys[i] = i % 2;
    for (let j = 0; j < 4; j++) xs[i * 4 + j] = rng.normal() * 0.5 + (ys[i] ? 1 : -1);
  }
  const spec: DatasetSpec = { inputShape: [1, 1, 4], task: 'classification', numClasses: 2, targetShape: [], targetDtype: 'int32' };
  return {
    spec, batchSize, numBatches: Math.ceil(n / batchSize),
    async *epoch(epoch: number, start = 0): AsyncGenerator<Batch> {
      const order = new Rng(seed).fork(epoch).shuffle([...Array(n).keys()]);
      for (let b = start; b * batchSize < n; b++) {
        const idx = order.slice(b * batchSize, (b + 1) * batchSize);
        const x = new Float32Array(idx.length * 4);
        idx.forEach((k, i) => x.set(xs.subarray(k * 4, k * 4 + 4), i * 4));
        yield { x: tf.tensor2d(x, [idx.length, 4]), y: tf.tensor1d(idx.map((k) => ys[k]), 'int32'), size: idx.length };
      }
    },
  };
}

export const sparseCe: Loss = {
  name: 'ce',
  compute: (y, p) => tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(y as tf.Tensor1D, 2), tf.log(tf.add(p, 1e-7))), -1)))),
};

export function tinyModule(seed = 3, extra: Partial<ConstructorParameters<typeof SupervisedModule>[0]> = {}): SupervisedModule {
  const model = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [4], units: 8, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
    tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
  ] });
  return new SupervisedModule({ model, loss: sparseCe, lr: 0.05, optimizer: (g) => new Adam(g), ...extra });
}

export async function weightsOf(model: tfl.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

/** A snapshot kept in memory (tensors cloned), usable as `fit`'s resume argument. */
export interface MemorySnapshot {
  readonly trainerState: TrainerStateJson;
  readonly optimizerState: { tensors: Record<string, tf.Tensor>; meta: Record<string, unknown> };
  readonly weights: tf.Tensor[];
}

/** A checkpoint writer that keeps the last snapshot in memory; `restore(model)` loads its weights and returns it. */
export function memoryCheckpoints() {
  let snap: MemorySnapshot | undefined;
  const dispose = () => { if (snap) tf.dispose([...snap.weights, ...Object.values(snap.optimizerState.tensors)]); };
  return {
    writer: async (_dir: string, s: TrainerSnapshot) => {
      dispose();
      snap = { trainerState: JSON.parse(JSON.stringify(s.trainerState)), weights: s.model.getWeights().map((w) => w.clone()),
        optimizerState: { tensors: Object.fromEntries(Object.entries(s.optimizerState.tensors).map(([k, v]) => [k, v.clone()])), meta: { ...s.optimizerState.meta } } };
    },
    get last(): MemorySnapshot {
      if (!snap) throw new Error('no snapshot was written');
      return snap;
    },
    restore(model: tfl.LayersModel): MemorySnapshot {
      model.setWeights(this.last.weights);
      return this.last;
    },
    dispose,
  };
}
