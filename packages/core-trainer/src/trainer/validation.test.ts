import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Callback } from '../contracts/callback.js';
import type { Logger } from '../contracts/logger.js';
import { isKilnError } from '../errors.js';
import { trainerOptionsSchema, valCheckBatches } from './options.js';
import { blobSource, memoryCheckpoints, tinyModule, weightsOf } from './test-utils/fixtures.js';
import { Trainer } from './trainer.js';
import { runValidation } from './validation.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function memoryLogger(rows: { step: number; values: Record<string, number> }[]): Logger {
  return { name: 'mem', logParams() {}, logMetrics: (step, values) => { rows.push({ step, values: { ...values } }); }, finish() {} };
}

/** Records every validation: where it ran (epoch, batch, step) and what it reported. */
function valRecorder(seen: { epoch: number; batch: number; step: number; logs?: Record<string, number> }[]): Callback {
  return {
    name: 'val-recorder',
    onValidationBegin: (ctx) => { seen.push({ epoch: ctx.state.epoch, batch: ctx.state.batchInEpoch, step: ctx.state.globalStep }); },
    onValidationEnd: (ctx) => { seen[seen.length - 1].logs = { ...ctx.logs }; },
  };
}

describe('valCheckInterval', () => {
  it('turns fractions and counts into batches as Lightning does, and rejects what it cannot mean', () => {
    expect(valCheckBatches(0.25, 10)).toBe(2); // ⌊10 × 0.25⌋
    expect(valCheckBatches(0.5, 5)).toBe(2);
    expect(valCheckBatches(0.01, 10)).toBe(1); // at least every batch
    expect(valCheckBatches(3, 10)).toBe(3);
    expect(valCheckBatches(1, 10)).toBe(0); // 1 (= 1.0): epoch end only
    expect(valCheckBatches(undefined, 10)).toBe(0);
    expect(valCheckBatches(10, 10)).toBe(0);
    expect(() => valCheckBatches(12, 10)).toThrow(expect.objectContaining({ code: 'KILN_TRAINER_INVALID_OPTION', message: expect.stringMatching(/valCheckInterval.*10 training batches/) }));
    for (const bad of [0, -0.5, 2.5]) expect(trainerOptionsSchema.safeParse({ valCheckInterval: bad }).success).toBe(false);
    expect(() => new Trainer({ valCheckInterval: 2.5 })).toThrow(/valCheckInterval.*fraction/);
  });

  it('validates mid-epoch (fraction): hooks, val_* logged at that step and in onBatchEnd, epoch end unchanged, training unaffected', async () => {
    const seen: { epoch: number; batch: number; step: number; logs?: Record<string, number> }[] = [];
    const rows: { step: number; values: Record<string, number> }[] = [];
    let checked = 0;
    const module = tinyModule(4);
    const val = blobSource(24, 8, 9);
    // At a validation batch, onBatchEnd sees the val values, and they are those of the current weights.
    const verify: Callback = {
      name: 'verify',
      async onBatchEnd(ctx) {
        if (!('val_loss' in ctx.logs)) return;
        expect(ctx.logs.val_loss).toBe((await runValidation(module, val, 3)).val_loss);
        checked += 1;
      },
    };
    const r = await new Trainer({ maxEpochs: 2, numSanityValSteps: 0, valCheckInterval: 0.25, logEveryNSteps: 100 }, { callbacks: [valRecorder(seen), verify], loggers: [memoryLogger(rows)] })
      .fit(module, blobSource(64, 8), val);
    expect(checked).toBe(6);
    // 8 batches: every ⌊8 × 0.25⌋ = 2 → after batches 2, 4, 6 and at epoch end (8), in both epochs.
    expect(seen.map((s) => [s.epoch, s.batch, s.step])).toEqual([[0, 2, 2], [0, 4, 4], [0, 6, 6], [0, 8, 8], [1, 2, 10], [1, 4, 12], [1, 6, 14], [1, 8, 16]]);
    expect(rows.filter((x) => 'val_loss' in x.values).map((x) => x.step)).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(rows.filter((x) => 'val_loss' in x.values && !('loss' in x.values)).map((x) => x.values.val_loss)).toEqual(seen.filter((s) => s.batch < 8).map((s) => s.logs!.val_loss));
    expect(r.logs.val_loss).toBe(seen[7].logs!.val_loss);
    // Validation changes nothing in training: the same weights as without it.
    const plain = tinyModule(4);
    await new Trainer({ maxEpochs: 2, numSanityValSteps: 0 }).fit(plain, blobSource(64, 8), val);
    const [a, b] = [await weightsOf(module.model), await weightsOf(plain.model)];
    a.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(b[i])));
  });

  it('counts batches (integer) and honours checkValEveryNEpochs', async () => {
    const seen: { epoch: number; batch: number; step: number }[] = [];
    await new Trainer({ maxEpochs: 2, numSanityValSteps: 0, valCheckInterval: 3, checkValEveryNEpochs: 2 }, { callbacks: [valRecorder(seen)] })
      .fit(tinyModule(), blobSource(64, 8), blobSource(16, 8, 9));
    expect(seen.map((s) => [s.epoch, s.batch])).toEqual([[1, 3], [1, 6], [1, 8]]);
    await expect(new Trainer({ maxEpochs: 1, valCheckInterval: 9 }).fit(tinyModule(), blobSource(64, 8), blobSource(16, 8, 9)))
      .rejects.toSatisfy((e) => isKilnError(e, 'KILN_TRAINER_INVALID_OPTION'));
  });

  it('a checkpoint taken mid-epoch after a mid-epoch validation resumes exactly (weights and later val logs)', async () => {
    const options = { maxEpochs: 3, numSanityValSteps: 0, accumulateGradBatches: 2, valCheckInterval: 0.5, logEveryNSteps: 1 };
    const fullRows: { step: number; values: Record<string, number> }[] = [];
    const full = tinyModule(7);
    await new Trainer(options, { loggers: [memoryLogger(fullRows)] }).fit(full, blobSource(40, 4, 4), blobSource(16, 4, 9));

    const checkpoints = memoryCheckpoints();
    let sawVal = false;
    const interrupt: Callback = {
      name: 'interrupt',
      async onBatchEnd(ctx) {
        // 10 batches per epoch, validation after batch 5: stop at batch 7 of epoch 1, mid-accumulation.
        if (ctx.state.epoch === 1 && ctx.state.batchInEpoch === 5) sawVal = 'val_loss' in ctx.logs;
        if (ctx.state.epoch === 1 && ctx.state.batchInEpoch === 7) { await ctx.saveCheckpoint('mem'); ctx.stop('interrupted'); }
      },
    };
    await new Trainer(options, { callbacks: [interrupt], checkpointWriter: checkpoints.writer }).fit(tinyModule(7), blobSource(40, 4, 4), blobSource(16, 4, 9));
    expect(sawVal).toBe(true);
    const snap = checkpoints.last;
    expect(snap.trainerState.accumulated).toBe(1);

    const resumedRows: { step: number; values: Record<string, number> }[] = [];
    const resumed = tinyModule(99);
    checkpoints.restore(resumed.model);
    await new Trainer(options, { loggers: [memoryLogger(resumedRows)] }).fit(resumed, blobSource(40, 4, 4), blobSource(16, 4, 9), snap);
    const [wf, wr] = [await weightsOf(full.model), await weightsOf(resumed.model)];
    wf.forEach((w, i) => expect(Array.from(wr[i])).toEqual(Array.from(w)));
    const after = fullRows.filter((x) => x.step > snap.trainerState.globalStep);
    expect(resumedRows.filter((x) => 'val_loss' in x.values).length).toBeGreaterThanOrEqual(3);
    expect(resumedRows.map((x) => { const { epoch_time_s: _t, ...v } = x.values; return [x.step, v]; }))
      .toEqual(after.map((x) => { const { epoch_time_s: _t, ...v } = x.values; return [x.step, v]; }));
    checkpoints.dispose();
  });
});
