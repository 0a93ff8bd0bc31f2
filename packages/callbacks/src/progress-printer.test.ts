import { describe, expect, it } from 'vitest';
import { ProgressPrinter } from './progress-printer.js';
import { fakeRun, sink } from './test-utils/context.js';

describe('ProgressPrinter', () => {
  it('prints one line per epoch with ordered metrics, LR, epoch time and ETA', () => {
    let t = 0;
    const out = sink();
    const p = new ProgressPrinter({ stream: out, now: () => t });
    const run = fakeRun({ state: { epoch: 0, globalStep: 0, batchInEpoch: 0, maxEpochs: 10 } });
    p.onTrainBegin();
    for (const [e, ms] of [[0, 10_000], [1, 12_000], [2, 12_300]] as const) {
      p.onEpochBegin();
      t += ms;
      run.state = { ...run.state, epoch: e };
      run.logs = { epoch: e, lr: 1e-3, val_dice: 0.7123, loss: 0.4121, val_loss: 0.39849, epoch_time_s: 12 };
      p.onEpochEnd(run.ctx());
    }
    const lines = out.text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    // mean epoch 11.433 s × 7 epochs left = 80 s
    expect(lines[2]).toBe('epoch 3/10  loss 0.412  val_loss 0.398  val_dice 0.712  lr 1.0e-3  12.3s  ETA 1m20s');
  });

  it('omits the total and ETA when the epoch count is unknown, and shows no ETA after the last epoch', () => {
    let t = 0;
    const out = sink();
    const p = new ProgressPrinter({ stream: out, now: () => t });
    const run = fakeRun({ logs: { loss: 2e-5 } });
    p.onEpochBegin();
    t += 75_000;
    p.onEpochEnd(run.ctx());
    const q = new ProgressPrinter({ stream: out, now: () => t, maxEpochs: 1 });
    q.onEpochBegin();
    t += 4_000_000;
    q.onEpochEnd(run.ctx());
    expect(out.text).toBe('epoch 1  loss 2.00e-5  1m15s\nepoch 1/1  loss 2.00e-5  1h07m\n');
  });
});
