import * as tf from '@tensorflow/tfjs-core';
import { Adam, type Logger } from '@kiln/core-trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { LearningRateMonitor } from './lr-monitor.js';
import { fakeRun } from './test-utils/context.js';
import { cpu } from './test-utils/model.js';

beforeAll(cpu);

function collector(): Logger & { got: [number, Record<string, number>][] } {
  const got: [number, Record<string, number>][] = [];
  return { name: 'mem', got, logParams() {}, logMetrics(step, values) { got.push([step, { ...values }]); }, finish() {} };
}

describe('LearningRateMonitor', () => {
  it('records each parameter group LR from the optimizer once per optimizer step', async () => {
    const a = tf.variable(tf.zeros([2]), true, 'lrm/a');
    const b = tf.variable(tf.zeros([2]), true, 'lrm/b');
    const adam = new Adam([{ name: 'backbone', variables: [a], lr: 1e-4 }, { name: 'head', variables: [b], lr: 1e-3 }]);
    const logger = collector();
    const logged: Record<string, number>[] = [];
    const mon = new LearningRateMonitor({ loggingInterval: 'step', loggers: [logger] });
    const run = fakeRun();
    for (const step of [1, 1, 2]) { // step 1 twice: an accumulation micro-batch does not step the optimizer
      if (step === 2) adam.setLr(1, 5e-4);
      run.state = { epoch: 0, globalStep: step, batchInEpoch: step };
      await mon.onBatchEnd({ ...run.ctx(), optimizer: adam, log: (v: Record<string, number>) => logged.push(v) } as never);
    }
    expect(mon.records).toEqual([
      { epoch: 0, step: 1, values: { 'lr/backbone': 1e-4, 'lr/head': 1e-3 } },
      { epoch: 0, step: 2, values: { 'lr/backbone': 1e-4, 'lr/head': 5e-4 } },
    ]);
    expect(logger.got.map(([s]) => s)).toEqual([1, 2]);
    expect(logged).toHaveLength(2);
    tf.dispose([a, b]);
  });

  it('falls back to the lr keys of the epoch logs', async () => {
    const mon = new LearningRateMonitor();
    const run = fakeRun({ logs: { loss: 1, lr: 0.01, val_loss: 2 } });
    await mon.onBatchEnd(run.ctx());
    await mon.onEpochEnd(run.ctx());
    expect(mon.records).toEqual([{ epoch: 0, step: 0, values: { lr: 0.01 } }]);
  });
});
