import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Callback } from '../contracts/callback.js';
import { blobSource, tinyModule } from './test-utils/fixtures.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Counts batches per epoch and validation batches (through validationStep) of one fit. */
function probe() {
  const batches: number[] = [];
  let val = 0;
  const cb: Callback = { name: 'probe', onEpochBegin: () => { batches.push(0); }, onBatchEnd: () => { batches[batches.length - 1] += 1; } };
  const wrap = (m: ReturnType<typeof tinyModule>) => {
    const step = m.validationStep.bind(m);
    m.validationStep = (b) => { val += 1; return step(b); };
    return m;
  };
  return { cb, wrap, batches, val: () => val };
}

describe('Trainer debug modes and limits (Lightning semantics)', () => {
  it('fastDevRun: one train batch and one val batch, one epoch, no sanity check', async () => {
    const p = probe();
    const r = await new Trainer({ maxEpochs: 5, fastDevRun: true }, { callbacks: [p.cb] }).fit(p.wrap(tinyModule()), blobSource(64, 8), blobSource(32, 8, 9));
    expect(p.batches).toEqual([1]);
    expect(p.val()).toBe(1);
    expect(r.globalStep).toBe(1);
  });

  it('limitTrainBatches / limitValBatches take counts and fractions; numSanityValSteps runs first', async () => {
    const p = probe();
    await new Trainer({ maxEpochs: 2, limitTrainBatches: 0.5, limitValBatches: 2, numSanityValSteps: 1 }, { callbacks: [p.cb] })
      .fit(p.wrap(tinyModule()), blobSource(64, 8), blobSource(32, 8, 9));
    expect(p.batches).toEqual([4, 4]);
    expect(p.val()).toBe(1 + 2 * 2);
  });

  it('overfitBatches: the same first N batches every epoch, for train and val', async () => {
    const seen: number[][] = [];
    const cb: Callback = { name: 'seen', onEpochBegin: () => { seen.push([]); }, onBatchBegin: async (ctx) => { seen[seen.length - 1].push(Array.from(await ctx.batch!.x.data()).reduce((a: number, b: number) => a + b, 0)); } };
    await new Trainer({ maxEpochs: 3, overfitBatches: 2, numSanityValSteps: 0 }, { callbacks: [cb] }).fit(tinyModule(), blobSource(64, 8));
    expect(seen.map((e) => e.length)).toEqual([2, 2, 2]);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });

  it('maxSteps stops mid-epoch with its reason; maxTime stops with its reason', async () => {
    const r = await new Trainer({ maxEpochs: 10, maxSteps: 11, numSanityValSteps: 0 }).fit(tinyModule(), blobSource(64, 8));
    expect([r.stopReason, r.globalStep]).toEqual(['max_steps', 11]);
    const slow: Callback = { name: 'slow', onBatchEnd: () => new Promise((res) => setTimeout(res, 30)) };
    const t = await new Trainer({ maxEpochs: 1000, maxTime: 0.2, numSanityValSteps: 0 }, { callbacks: [slow] }).fit(tinyModule(), blobSource(64, 8));
    expect(t.stopReason).toBe('max_time');
    expect(t.globalStep).toBeLessThan(1000 * 8);
  });

  it('checkValEveryNEpochs validates only every N epochs', async () => {
    const logged: Record<string, number>[] = [];
    await new Trainer({ maxEpochs: 4, checkValEveryNEpochs: 2, numSanityValSteps: 0 },
      { loggers: [{ name: 'm', logParams() {}, logMetrics: (_s, v) => { if ('epoch' in v) logged.push({ ...v }); }, finish() {} }] })
      .fit(tinyModule(), blobSource(32, 8), blobSource(16, 8, 9));
    expect(logged.map((l) => 'val_loss' in l)).toEqual([false, true, false, true]);
  });
});
