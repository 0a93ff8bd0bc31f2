// Mixup inside Trainer.fit: the update equals a hand-written reference, draws follow (seed, epoch, batch), resume is exact.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Callback } from '../contracts/callback.js';
import type { Batch } from '../contracts/dataset.js';
import { Sgd } from '../optim/sgd.js';
import { Rng } from '../rng.js';
import type { MixedBatch } from './mixup.js';
import { SupervisedModule } from './supervised-module.js';
import { blobSource, memoryCheckpoints, tinyModule, weightsOf } from './test-utils/fixtures.js';
import { classCe, expectClose, imageModule, randn } from './test-utils/mixup-fixtures.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('mixup in the Trainer step', () => {
  it.each(['mixup', 'cutmix'] as const)('%s: one SGD step equals W − lr·∇[λ·CE(y) + (1−λ)·CE(y[perm])] at the mixed inputs (within 1e-6)', async (mode) => {
    const rng = new Rng(21);
    const labels = [0, 1, 1, 0, 1, 0, 0, 1];
    const xs = randn(rng, 8 * 3 * 3);
    const source = { spec: { inputShape: [3, 3, 1], task: 'classification', numClasses: 2, targetShape: [], targetDtype: 'int32' } as const, batchSize: 8, numBatches: 1,
      async *epoch() { yield { x: tf.tensor4d(xs, [8, 3, 3, 1]), y: tf.tensor1d(labels, 'int32'), size: 8 }; } };
    let seen: MixedBatch['mix'];
    class Recording extends SupervisedModule {
      override prepareTrainBatch(batch: Batch, r: Rng): Batch {
        const out = super.prepareTrainBatch(batch, r) as MixedBatch;
        seen = out.mix;
        return out;
      }
    }
    const ref = imageModule([3, 3, 1], 2, classCe(2));
    const module = new Recording({ model: ref.model, loss: classCe(2), lr: 0.1, optimizer: (g) => new Sgd(g), mixup: { alpha: 0.7, mode } });
    const [w0, b0] = ref.model.getWeights().map((t) => t.clone());
    await new Trainer({ maxEpochs: 1, numSanityValSteps: 0, seed: 3 }).fit(module, source);
    const { lambda, perm, box } = seen!;
    expect(seen!.kind).toBe(mode);
    // Reference: mixed inputs built from the recorded draw with plain loops, gradient by tf.grads of the raw formula.
    const mixedX = new Float32Array(xs.length);
    for (let i = 0; i < 8; i++) for (let k = 0; k < 9; k++) {
      const [r, q] = [Math.floor(k / 3), k % 3];
      const inside = box !== undefined && r >= box.y1 && r < box.y2 && q >= box.x1 && q < box.x2;
      mixedX[i * 9 + k] = box ? xs[(inside ? perm[i] : i) * 9 + k] : lambda * xs[i * 9 + k] + (1 - lambda) * xs[perm[i] * 9 + k];
    }
    const x = tf.tensor2d(mixedX, [8, 9]);
    const ce = (logp: tf.Tensor, ys: number[]) => tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(tf.tensor1d(ys, 'int32'), 2), logp), -1)));
    const [gw, gb] = tf.grads((w: tf.Tensor, b: tf.Tensor) => {
      const logp = tf.log(tf.softmax(tf.add(tf.matMul(x, w as tf.Tensor2D), b)));
      return tf.add(tf.mul(ce(logp, labels), lambda), tf.mul(ce(logp, perm.map((j) => labels[j])), 1 - lambda));
    })([w0, b0]);
    const [w1, b1] = module.model.getWeights();
    for (const [got, start, g] of [[w1, w0, gw], [b1, b0, gb]] as const) {
      const [a, s, d] = [await got.data(), await start.data(), await g.data()];
      a.forEach((v, i) => expectClose(v, s[i] - 0.1 * d[i]));
    }
    expect(Math.abs((await w1.data())[0] - (await w0.data())[0])).toBeGreaterThan(0); // a step was taken
    tf.dispose([w0, b0, x, gw, gb]);
  });

  it('draws a new λ and permutation per batch, the same for the same seed and different for another', async () => {
    const lambdas = async (seed: number) => {
      const seen: number[] = [];
      class Recording extends SupervisedModule {
        override prepareTrainBatch(batch: Batch, r: Rng): Batch {
          const out = super.prepareTrainBatch(batch, r) as MixedBatch;
          seen.push(out.mix!.lambda);
          return out;
        }
      }
      const base = tinyModule(7);
      await new Trainer({ maxEpochs: 2, numSanityValSteps: 0, seed }).fit(new Recording({ model: base.model, loss: classCe(2), lr: 0.05, optimizer: (g) => new Sgd(g), mixup: { alpha: 1, mode: 'mixup' } }), blobSource(32, 8));
      return seen;
    };
    const a = await lambdas(4);
    expect(a).toHaveLength(8);
    expect(new Set(a).size).toBe(8);
    expect(await lambdas(4)).toEqual(a);
    expect(await lambdas(5)).not.toEqual(a);
  });

  it('keeps the tensor count flat from step to step with CutMix/mixup on images and an OOM back-off', async () => {
    const rng = new Rng(2);
    const source = { spec: { inputShape: [4, 4, 2], task: 'classification', numClasses: 2, targetShape: [], targetDtype: 'int32' } as const, batchSize: 8, numBatches: 6,
      async *epoch(_e: number, start = 0) { for (let b = start; b < 6; b++) yield { x: tf.tensor4d(randn(rng, 8 * 32), [8, 4, 4, 2]), y: tf.tensor1d([0, 1, 0, 1, 1, 0, 1, 0], 'int32'), size: 8 }; } };
    class Tight extends SupervisedModule {
      override trainingStep(batch: Batch): tf.Scalar {
        const loss = super.trainingStep(batch);
        if (batch.size > 4) throw new RangeError('Array buffer allocation failed');
        return loss;
      }
    }
    const counts: number[] = [];
    const probe: Callback = { onBatchEnd: () => { counts.push(tf.memory().numTensors); } };
    const module = new Tight({ model: imageModule([4, 4, 2], 2, classCe(2)).model, loss: classCe(2), lr: 0.1, optimizer: (g) => new Sgd(g, { momentum: 0.9 }), mixup: { alpha: 1, mode: 'both' } });
    const r = await new Trainer({ maxEpochs: 2, numSanityValSteps: 0 }, { callbacks: [probe], warn: () => {} }).fit(module, source);
    expect(r.microBatchSize).toBe(4);
    expect(new Set(counts.slice(1))).toEqual(new Set([counts[1]])); // momentum slots appear at the first step
  });

  it('resumed mid-epoch (mid-accumulation) ends with exactly the weights of the uninterrupted mixup run', async () => {
    const options = { maxEpochs: 2, numSanityValSteps: 0, accumulateGradBatches: 2, seed: 4 };
    const mixup = { alpha: 0.4, mode: 'mixup' } as const;
    const full = tinyModule(7, { mixup });
    await new Trainer(options).fit(full, blobSource(40, 4, 4));
    const checkpoints = memoryCheckpoints();
    const interrupt: Callback = { async onBatchEnd(ctx) { if (ctx.state.epoch === 1 && ctx.state.batchInEpoch === 3) { await ctx.saveCheckpoint('mem'); ctx.stop('interrupted'); } } };
    await new Trainer(options, { callbacks: [interrupt], checkpointWriter: checkpoints.writer }).fit(tinyModule(7, { mixup }), blobSource(40, 4, 4));
    const resumed = tinyModule(99, { mixup });
    await new Trainer(options).fit(resumed, blobSource(40, 4, 4), undefined, checkpoints.restore(resumed.model));
    const [wf, wr] = [await weightsOf(full.model), await weightsOf(resumed.model)];
    wf.forEach((w, i) => expect(Array.from(wr[i])).toEqual(Array.from(w)));
    // Mixup was really applied: without it the weights differ.
    const plain = tinyModule(7);
    await new Trainer(options).fit(plain, blobSource(40, 4, 4));
    expect(Array.from((await weightsOf(plain.model))[0])).not.toEqual(Array.from(wf[0]));
    checkpoints.dispose();
  });
});
