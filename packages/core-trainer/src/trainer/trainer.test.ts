import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Callback } from '../contracts/callback.js';
import { isKilnError } from '../errors.js';
import { blobSource, memoryCheckpoints, tinyModule, weightsOf } from './test-utils/fixtures.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Trainer', () => {
  it('learns a separable problem and keeps the tensor count flat from step to step', async () => {
    const counts: number[] = [];
    const probe: Callback = { name: 'probe', onBatchEnd: () => { counts.push(tf.memory().numTensors); } };
    const module = tinyModule();
    const result = await new Trainer({ maxEpochs: 4, numSanityValSteps: 0 }, { callbacks: [probe] }).fit(module, blobSource(), blobSource(32, 8, 9));
    expect(result.stopReason).toBe('completed');
    expect(result.globalStep).toBe(32);
    expect(result.logs.val_loss).toBeLessThan(0.3);
    // Optimizer slots appear on the first step; after that nothing may grow.
    expect(new Set(counts.slice(1))).toEqual(new Set([counts[1]]));
  });

  it('accumulating two batches of 4 equals one batch of 8 (within 1e-6)', async () => {
    const a = tinyModule(5);
    const b = tinyModule(5);
    await new Trainer({ maxEpochs: 1, numSanityValSteps: 0 }).fit(a, blobSource(64, 8, 2));
    await new Trainer({ maxEpochs: 1, numSanityValSteps: 0, accumulateGradBatches: 2 }).fit(b, blobSource(64, 4, 2));
    const [wa, wb] = [await weightsOf(a.model), await weightsOf(b.model)];
    wa.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - wb[i][j])).toBeLessThan(1e-6)));
  });

  it('resumed mid-epoch from a snapshot ends with exactly the weights of the uninterrupted run', async () => {
    const full = tinyModule(7);
    await new Trainer({ maxEpochs: 3, numSanityValSteps: 0, accumulateGradBatches: 2 }).fit(full, blobSource(40, 4, 4));

    const checkpoints = memoryCheckpoints();
    const interrupt: Callback = {
      name: 'interrupt',
      async onBatchEnd(ctx) {
        if (ctx.state.epoch === 1 && ctx.state.batchInEpoch === 5) { await ctx.saveCheckpoint('mem'); ctx.stop('interrupted'); }
      },
    };
    const first = tinyModule(7);
    const r1 = await new Trainer({ maxEpochs: 3, numSanityValSteps: 0, accumulateGradBatches: 2 }, { callbacks: [interrupt], checkpointWriter: checkpoints.writer }).fit(first, blobSource(40, 4, 4));
    expect(r1.stopReason).toBe('interrupted');
    expect(checkpoints.last.trainerState.accumulated).toBe(1);

    const resumed = tinyModule(99); // different init: everything must come from the snapshot
    const snap = checkpoints.restore(resumed.model);
    const r2 = await new Trainer({ maxEpochs: 3, numSanityValSteps: 0, accumulateGradBatches: 2 }).fit(resumed, blobSource(40, 4, 4), undefined, snap);
    expect(r2.stopReason).toBe('completed');
    const [wf, wr] = [await weightsOf(full.model), await weightsOf(resumed.model)];
    wf.forEach((w, i) => expect(Array.from(wr[i])).toEqual(Array.from(w)));
    checkpoints.dispose();
  });

  it('clips by global norm and logs the pre-clip gradient norm', async () => {
    const logged: Record<string, number>[] = [];
    const module = tinyModule(11);
    await new Trainer({ maxEpochs: 1, numSanityValSteps: 0, logEveryNSteps: 1, gradientClipVal: 1e-3 },
      { loggers: [{ name: 'mem', logParams() {}, logMetrics: (_s, v) => { logged.push({ ...v }); }, finish() {} }] }).fit(module, blobSource(16, 8, 5));
    const steps = logged.filter((l) => 'grad_norm' in l);
    expect(steps).toHaveLength(2);
    expect(steps[0].grad_norm).toBeGreaterThan(1e-3);
  });

  it('computes the gradient norm only for logged steps, and logs it on every one of them', async () => {
    const logged: [number, Record<string, number>][] = [];
    await new Trainer({ maxEpochs: 1, numSanityValSteps: 0, logEveryNSteps: 3 },
      { loggers: [{ name: 'mem', logParams() {}, logMetrics: (s, v) => { if (!('epoch' in v)) logged.push([s, { ...v }]); }, finish() {} }] }).fit(tinyModule(13), blobSource(64, 8, 5));
    expect(logged.map(([s]) => s)).toEqual([3, 6]);
    for (const [, v] of logged) expect(v.grad_norm).toBeGreaterThan(0);
  });

  it('stops when a callback asks, runs callbacks in order and names a failing callback', async () => {
    const calls: string[] = [];
    const late: Callback = { name: 'late', order: 100, onEpochEnd: () => { calls.push('late'); } };
    const early: Callback = { name: 'early', onEpochEnd: (ctx) => { calls.push('early'); ctx.stop('early_stopping'); } };
    const r = await new Trainer({ maxEpochs: 5, numSanityValSteps: 0 }, { callbacks: [late, early] }).fit(tinyModule(), blobSource());
    expect(r.stopReason).toBe('early_stopping');
    expect(calls).toEqual(['early', 'late']);
    const bad: Callback = { name: 'bad', onEpochBegin: () => { throw new Error('boom'); } };
    await expect(new Trainer({ maxEpochs: 1 }, { callbacks: [bad] }).fit(tinyModule(), blobSource()))
      .rejects.toSatisfy((e) => isKilnError(e, 'KILN_CALLBACK_FAILED') && /'bad' failed in onEpochBegin: boom/.test((e as Error).message));
  });

  it('rejects unknown options with the option name', () => {
    expect(() => new Trainer({ maxEpoch: 3 } as never)).toThrow(/maxEpoch/);
  });
});
