import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { BinaryCrossEntropyLoss } from './binary-cross-entropy.js';
import { lossFactories } from './plugin.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('input checks by period (validate: N)', () => {
  const y = tf.tensor2d([[1], [0]]);
  const bad = tf.tensor2d([[NaN], [0.5]]);
  const run = (loss: BinaryCrossEntropyLoss) => () => tf.tidy(() => loss.compute(y, bad));

  it('checks the first call and then every N-th; true checks every call; false never', () => {
    const every3 = new BinaryCrossEntropyLoss({ validate: 3 });
    const outcomes = Array.from({ length: 7 }, () => {
      try { run(every3)(); return 'ok'; } catch (e) { return (e as { code?: string }).code; }
    });
    expect(outcomes).toEqual(['KILN_LOSS_NAN_PREDICTION', 'ok', 'ok', 'KILN_LOSS_NAN_PREDICTION', 'ok', 'ok', 'KILN_LOSS_NAN_PREDICTION']);
    const always = new BinaryCrossEntropyLoss();
    expect(run(always)).toThrow(/NaN/);
    expect(run(always)).toThrow(/NaN/);
    expect(run(new BinaryCrossEntropyLoss({ validate: false }))).not.toThrow();
  });

  it('losses made from the registry (what training uses) check every 50th call by default', () => {
    const f = lossFactories.bce;
    expect(f.schema.parse({}).validate).toBe(50);
  });
});
