import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TensorLeakGuard } from './tensor-leak-guard.js';
import { fakeRun } from './test-utils/context.js';
import { cpu } from './test-utils/model.js';

beforeAll(cpu);
const leaked: tf.Tensor[] = [];
afterEach(() => tf.dispose(leaked.splice(0)));

/** A loop with real tensors: each step makes a batch, runs a tidy step, disposes the batch; `leak` adds a kept tensor in one phase. */
function loop(guard: TensorLeakGuard, leak: 'none' | 'step' | 'between' | 'validation' | 'epoch', epochs = 2, steps = 6) {
  const run = fakeRun();
  let g = 0;
  for (let e = 0; e < epochs; e++) {
    guard.onEpochBegin();
    for (let b = 0; b < steps; b++) {
      const batch = tf.ones([2, 3]);
      run.state = { epoch: e, globalStep: g, batchInEpoch: b };
      guard.onBatchBegin(run.ctx());
      const loss = tf.tidy(() => tf.sum(tf.square(batch)));
      if (leak === 'step') leaked.push(tf.scalar(b));
      loss.dispose();
      run.state = { epoch: e, globalStep: ++g, batchInEpoch: b + 1 };
      guard.onBatchEnd(run.ctx());
      batch.dispose();
      if (leak === 'between') leaked.push(tf.zeros([1]));
    }
    for (let v = 0; v < 2; v++) {
      guard.onValidationBegin();
      tf.tidy(() => { tf.mean(tf.ones([4])); });
      if (leak === 'validation') leaked.push(tf.ones([2]));
      guard.onValidationEnd(run.ctx());
    }
    if (leak === 'epoch') leaked.push(tf.ones([3]));
    guard.onEpochEnd(run.ctx());
  }
}

describe('TensorLeakGuard', () => {
  it('stays quiet on a loop whose tensor count is flat', () => {
    const warnings: string[] = [];
    const guard = new TensorLeakGuard({ warn: (m) => warnings.push(m) });
    loop(guard, 'none', 3);
    expect(warnings).toEqual([]);
  });

  for (const [leak, phase] of [['step', 'training step'], ['between', 'between steps'], ['validation', 'validation']] as const) {
    it(`names the '${phase}' phase when tensors grow there`, () => {
      const warnings: string[] = [];
      const guard = new TensorLeakGuard({ warn: (m) => warnings.push(m) });
      loop(guard, leak);
      expect([...guard.leaks.keys()]).toEqual([phase]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(new RegExp(`grew by 1 in the ${phase} phase 3 times in a row`));
    });
  }

  it("names the 'epoch end' phase for growth outside steps and validation", () => {
    const warnings: string[] = [];
    const guard = new TensorLeakGuard({ warn: (m) => warnings.push(m) });
    loop(guard, 'epoch', 3);
    expect(warnings).toEqual([]);
    loop(guard, 'epoch', 1);
    expect([...guard.leaks.keys()]).toEqual(['epoch end']);
  });

  it('fails with KILN_CALLBACK_TENSOR_LEAK in fail mode', () => {
    expect(() => loop(new TensorLeakGuard({ action: 'fail' }), 'step')).toThrow(expect.objectContaining({ code: 'KILN_CALLBACK_TENSOR_LEAK' }));
  });
});
