import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelCheckpoint } from './model-checkpoint.js';
import { NaNGuard } from './nan-guard.js';
import { fakeRun } from './test-utils/context.js';
import { cpu, moduleOf, tinyModel } from './test-utils/model.js';

beforeAll(cpu);

describe('NaNGuard', () => {
  it('stops on a NaN loss with a message naming where, and ModelCheckpoint then refuses to save', async () => {
    const warnings: string[] = [];
    const guard = new NaNGuard({ warn: (m) => warnings.push(m) });
    const dir = await mkdtemp(join(tmpdir(), 'kiln-nan-'));
    const mc = new ModelCheckpoint({ dirpath: dir, everyNSteps: 1, warn: (m) => warnings.push(m) });
    const run = fakeRun({ module: moduleOf(tinyModel()) });
    run.saveCheckpoint = async (d) => { await import('node:fs/promises').then((fs) => fs.mkdir(d, { recursive: true })); };
    for (let step = 1; step <= 4; step++) {
      run.state = { epoch: 1, globalStep: step, batchInEpoch: step };
      run.logs = step === 3 ? { loss: Number.NaN } : step === 4 ? { loss: 0.5 } : {};
      guard.onBatchEnd(run.ctx());
      await mc.onBatchEnd(run.ctx());
    }
    expect(run.stops).toEqual(['nan_loss']);
    expect(guard.message).toMatch(/loss is NaN at epoch 2, step 3 \(batch 3 of the epoch\).*last good checkpoint is kept/);
    expect(await readdir(dir)).toEqual(['epoch=2-step=2']); // steps 1–2 saved (top-1 keeps the latest); nothing after the NaN
    expect(warnings.filter((w) => /ModelCheckpoint skipped/.test(w))).toHaveLength(1);
    await rm(dir, { recursive: true });
  });

  it('finds non-finite weights at epoch end (and every N steps), naming the weight', () => {
    const model = tinyModel();
    const guard = new NaNGuard({ checkWeightsEveryNSteps: 2, warn: () => {} });
    const run = fakeRun({ module: moduleOf(model), state: { epoch: 0, globalStep: 1, batchInEpoch: 1 } });
    const before = tf.memory().numTensors;
    guard.onBatchEnd(run.ctx());
    guard.onEpochEnd(run.ctx());
    expect(run.stops).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    const ws = model.getWeights().map((w, i) => (i === 2 ? tf.fill(w.shape, Number.POSITIVE_INFINITY) : w.clone()));
    model.setWeights(ws);
    tf.dispose(ws);
    guard.onBatchEnd(run.ctx()); // step 1: not a weight-check step
    expect(run.stops).toEqual([]);
    run.state = { epoch: 0, globalStep: 2, batchInEpoch: 2 };
    guard.onBatchEnd(run.ctx());
    expect(run.stops).toEqual(['nan_loss']);
    expect(guard.message).toMatch(new RegExp(`weight ${model.weights[2].originalName} holds NaN/Inf`));
  });

  it('checks gradients the trainer passes before the optimizer step, and can raise instead of stopping', () => {
    const model = tinyModel();
    const x = tf.ones([2, 4]);
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.log(tf.relu(tf.sub(model.apply(x) as tf.Tensor, 1e9)))) as tf.Scalar);
    const guard = new NaNGuard({ action: 'raise', warn: () => {} });
    const run = fakeRun({ module: moduleOf(model) });
    expect(() => guard.onBeforeOptimizerStep({ ...run.ctx(), grads } as never)).toThrow(expect.objectContaining({ code: 'KILN_CALLBACK_NAN_DETECTED' }));
    expect(guard.message).toMatch(/the gradient of .* is NaN\/Inf/);
    tf.dispose([x, value, ...Object.values(grads)]);
  });
});
