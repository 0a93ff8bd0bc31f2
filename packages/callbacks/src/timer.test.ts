import { describe, expect, it } from 'vitest';
import { Timer, parseMaxTime } from './timer.js';
import { fakeRun } from './test-utils/context.js';

describe('Timer', () => {
  it('parses seconds, DD:HH:MM:SS and objects, and rejects nonsense', () => {
    expect(parseMaxTime(90)).toBe(90_000);
    expect(parseMaxTime('01:02:03:04')).toBe((86400 + 7200 + 180 + 4) * 1000);
    expect(parseMaxTime('10:00')).toBe(600_000);
    expect(parseMaxTime({ hours: 1, minutes: 30 })).toBe(5_400_000);
    for (const bad of [0, -1, 'soon', '1:2:3:4:5', {}]) expect(() => parseMaxTime(bad as never)).toThrow(expect.objectContaining({ code: 'KILN_CALLBACK_OPTIONS_INVALID' }));
  });

  it('stops with max_time once training time reaches maxTime, counting time from before a resume', () => {
    let t = 1000;
    const timer = new Timer({ maxTime: '00:01:00', now: () => t });
    const run = fakeRun();
    timer.onTrainBegin();
    for (let step = 1; step <= 2; step++) {
      t += 25_000;
      timer.onBatchEnd(run.ctx());
    }
    expect(run.stops).toEqual([]);
    const saved = JSON.parse(JSON.stringify(timer.stateDict()));
    expect(saved.elapsedMs).toBe(50_000);

    const resumed = new Timer({ maxTime: 60, now: () => t });
    resumed.loadStateDict(saved);
    t += 3_600_000; // the process was down for an hour: not training time
    resumed.onTrainBegin();
    expect(resumed.remainingMs).toBe(10_000);
    t += 9_999;
    resumed.onBatchEnd(run.ctx());
    expect(run.stops).toEqual([]);
    t += 1;
    resumed.onBatchEnd(run.ctx());
    expect(run.stops).toEqual(['max_time']);
    expect(resumed.stopMessage).toMatch(/trained 1m00s of maxTime 1m00s/);
  });

  it("with interval 'epoch' only checks at epoch ends", () => {
    let t = 0;
    const timer = new Timer({ maxTime: 1, interval: 'epoch', now: () => t });
    const run = fakeRun();
    timer.onTrainBegin();
    t = 5000;
    timer.onBatchEnd(run.ctx());
    expect(run.stops).toEqual([]);
    timer.onEpochEnd(run.ctx());
    expect(run.stops).toEqual(['max_time']);
  });
});
