import { describe, expect, it } from 'vitest';
import { History } from './history.js';
import { fakeRun } from './test-utils/context.js';

describe('History', () => {
  it('keeps a copy of each epoch end logs in order and gives per-key series', () => {
    const h = new History();
    const run = fakeRun();
    for (let e = 0; e < 3; e++) {
      run.state = { epoch: e, globalStep: (e + 1) * 10, batchInEpoch: 10 };
      run.logs = e === 1 ? { loss: 1 / (e + 1) } : { loss: 1 / (e + 1), val_loss: 2 / (e + 1) };
      h.onEpochEnd(run.ctx());
    }
    expect(h.records.map((r) => [r.epoch, r.step])).toEqual([[0, 10], [1, 20], [2, 30]]);
    expect(h.series('loss')).toEqual([1, 0.5, 1 / 3]);
    expect(h.series('val_loss')).toEqual([2, Number.NaN, 2 / 3]);
  });

  it('restores from its state dict and replaces epochs replayed after a resume', () => {
    const a = new History();
    const run = fakeRun();
    for (let e = 0; e < 3; e++) {
      run.state = { epoch: e, globalStep: e, batchInEpoch: 0 };
      run.logs = { loss: e };
      a.onEpochEnd(run.ctx());
    }
    const saved = JSON.parse(JSON.stringify(a.stateDict()));
    const b = new History();
    b.loadStateDict(saved);
    run.state = { epoch: 2, globalStep: 2, batchInEpoch: 0 };
    run.logs = { loss: 9 };
    b.onEpochEnd(run.ctx());
    expect(b.series('loss')).toEqual([0, 1, 9]);
    expect(() => b.loadStateDict({ records: 'nope' })).toThrow(expect.objectContaining({ code: 'KILN_CALLBACK_STATE_INVALID' }));
  });
});
