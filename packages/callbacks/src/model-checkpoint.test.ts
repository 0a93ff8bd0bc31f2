import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint, writeCheckpoint } from '@kiln/core-trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markUnhealthy } from './internal/health.js';
import { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint.js';
import { fakeRun } from './test-utils/context.js';
import { cpu, fillWeights, moduleOf, tinyModel } from './test-utils/model.js';

let root: string;
let n = 0;
beforeAll(async () => {
  await cpu();
  root = await mkdtemp(join(tmpdir(), 'kiln-mc-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A run whose saveCheckpoint writes a real checkpoint holding the callback's state, as the Trainer does. */
function setup(options: ModelCheckpointOptions, warnings: string[] = []) {
  const runDir = join(root, `run-${n++}`);
  const mc = new ModelCheckpoint({ warn: (m) => warnings.push(m), ...options });
  const run = fakeRun({ module: moduleOf(tinyModel()), runDir });
  run.saveCheckpoint = (dir) => writeCheckpoint(dir, {
    model: run.module.model, trainerState: { epoch: run.state.epoch, globalStep: run.state.globalStep, callbacks: { [mc.stateKey]: mc.stateDict() } },
  }).then(() => undefined);
  return { mc, run, runDir, ckpts: join(runDir, 'checkpoints') };
}

async function epochs(mc: ModelCheckpoint, run: ReturnType<typeof setup>['run'], logs: Record<string, number>[], from = 0) {
  mc.onTrainBegin(run.ctx());
  for (let e = from; e < from + logs.length; e++) {
    run.state = { epoch: e, globalStep: (e + 1) * 10, batchInEpoch: 10 };
    run.logs = { loss: 1, ...logs[e - from] };
    await mc.onEpochEnd(run.ctx());
  }
}

const ls = async (d: string) => (await readdir(d)).sort();

describe('ModelCheckpoint', () => {
  it('keeps the best k by the monitor plus last, deleting the evicted one after the new one is written', async () => {
    const { mc, run, ckpts } = setup({ monitor: 'val_loss', filename: '{epoch:03d}-{val_loss:.3f}', saveTopK: 2, saveLast: true });
    await epochs(mc, run, [{ val_loss: 0.5 }, { val_loss: 0.4 }, { val_loss: 0.6 }, { val_loss: 0.3 }]);
    expect(await ls(ckpts)).toEqual(['epoch=002-val_loss=0.400', 'epoch=004-val_loss=0.300', 'last']);
    expect(mc.bestModelPath).toBe(join(ckpts, 'epoch=004-val_loss=0.300'));
    expect(mc.bestModelScore).toBe(0.3);
    const saved = await readCheckpoint(join(ckpts, 'epoch=004-val_loss=0.300'));
    const state = (saved.trainerState as { callbacks: Record<string, { kept: { id: string }[] }> }).callbacks[mc.stateKey];
    expect(state.kept.map((k) => k.id).sort()).toEqual(['epoch=002-val_loss=0.400', 'epoch=004-val_loss=0.300']);
    expect((await readCheckpoint(join(ckpts, 'last'))).trainerState).toMatchObject({ epoch: 3 });
  });

  it('without a monitor keeps the latest k (1 by default, all with -1)', async () => {
    const one = setup({});
    await epochs(one.mc, one.run, [{}, {}, {}]);
    expect(await ls(one.ckpts)).toEqual(['epoch=3-step=30']);
    const all = setup({ saveTopK: -1, everyNEpochs: 2 });
    await epochs(all.mc, all.run, [{}, {}, {}, {}, {}]);
    expect(await ls(all.ckpts)).toEqual(['epoch=2-step=20', 'epoch=4-step=40']);
  });

  it('saves every N optimizer steps at batch end, ranking by the latest known metric', async () => {
    const { mc, run, ckpts } = setup({ everyNSteps: 3, filename: '{step:04d}', saveTopK: -1, monitor: 'val_loss' });
    mc.onTrainBegin(run.ctx());
    run.logs = { val_loss: 0.9 };
    await mc.onEpochEnd({ ...run.ctx(), state: { epoch: 5, globalStep: 0, batchInEpoch: 0 } }); // everyNEpochs is 0: no save
    for (let step = 1; step <= 7; step++) {
      run.state = { epoch: 0, globalStep: step, batchInEpoch: step };
      run.logs = step === 5 ? { loss: 0.2 } : {};
      await mc.onBatchEnd(run.ctx());
      await mc.onBatchEnd(run.ctx()); // the same step again (gradient accumulation): no second save
    }
    expect(await ls(ckpts)).toEqual(['step=0003', 'step=0006']);
    expect(mc.kept.map((k) => k.score)).toEqual([0.9, 0.9]);
  });

  it('fails the first save with a coded error for a template field that is not logged', async () => {
    const { mc, run } = setup({ filename: '{epoch}-{val_acc:.2f}' });
    await expect(epochs(mc, run, [{ val_loss: 1 }])).rejects.toMatchObject({ code: 'KILN_CALLBACK_TEMPLATE_FIELD', message: expect.stringMatching(/val_acc.*Available: loss, val_loss, epoch, step/) });
    expect(() => new ModelCheckpoint({ filename: '{epoch:x}' })).toThrow(expect.objectContaining({ code: 'KILN_CALLBACK_TEMPLATE_FIELD' }));
  });

  it('never saves a NaN loss or a model NaNGuard marked, and never ranks a non-finite monitor', async () => {
    const warnings: string[] = [];
    const { mc, run, ckpts } = setup({ monitor: 'val_loss', saveLast: true, saveTopK: 3 }, warnings);
    await epochs(mc, run, [{ val_loss: 0.5 }, { val_loss: Number.NaN }]);
    expect(await ls(ckpts)).toEqual(['epoch=1-step=10', 'last']);
    expect((await readCheckpoint(join(ckpts, 'last'))).trainerState).toMatchObject({ epoch: 1 }); // NaN val_loss: not ranked, but `last` still written
    await epochs(mc, run, [{ loss: Number.NaN, val_loss: 0.1 }], 2);
    markUnhealthy(run.module.model, 'NaN weights');
    await epochs(mc, run, [{ val_loss: 0.05 }], 3);
    expect(await ls(ckpts)).toEqual(['epoch=1-step=10', 'last']);
    expect((await readCheckpoint(join(ckpts, 'last'))).trainerState).toMatchObject({ epoch: 1 });
    expect(warnings).toEqual([expect.stringMatching(/skipped saving at step 30: loss is not finite/)]);
  });

  it('saves on an exception unless the weights are not finite', async () => {
    const good = setup({ saveOnException: true, everyNEpochs: 0 });
    good.mc.onTrainBegin(good.run.ctx());
    await good.mc.onException({ ...good.run.ctx(), error: new Error('boom') });
    expect(await ls(good.ckpts)).toEqual(['on-exception']);
    const warnings: string[] = [];
    const bad = setup({ saveOnException: true }, warnings);
    bad.mc.onTrainBegin(bad.run.ctx());
    fillWeights(bad.run.module.model, Number.NaN);
    await bad.mc.onException(bad.run.ctx());
    expect(await readdir(bad.runDir).catch(() => [])).toEqual([]);
    expect(warnings[0]).toMatch(/not finite.*last good checkpoint is kept/);
  });

  it('resumed from the state in its own checkpoint, keeps ranking and deletes pre-resume checkpoints it beats', async () => {
    const a = setup({ monitor: 'val_dice', mode: 'max', filename: '{epoch}' });
    await epochs(a.mc, a.run, [{ val_dice: 0.5 }, { val_dice: 0.7 }]);
    const saved = await readCheckpoint(join(a.ckpts, 'epoch=2'));
    const b = new ModelCheckpoint({ monitor: 'val_dice', mode: 'max', filename: '{epoch}', dirpath: a.ckpts });
    b.loadStateDict((saved.trainerState as { callbacks: Record<string, unknown> }).callbacks[b.stateKey]);
    a.run.saveCheckpoint = (dir) => writeCheckpoint(dir, { model: a.run.module.model, trainerState: {} }).then(() => undefined);
    await epochs(b, a.run, [{ val_dice: 0.6 }], 2);
    expect(await ls(a.ckpts)).toEqual(['epoch=2']);
    await epochs(b, a.run, [{ val_dice: 0.8 }], 3);
    expect(await ls(a.ckpts)).toEqual(['epoch=4']);
    expect(() => b.loadStateDict({ kept: [{}] })).toThrow(expect.objectContaining({ code: 'KILN_CALLBACK_STATE_INVALID' }));
  });
});
