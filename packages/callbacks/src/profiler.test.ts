import type { Callback } from '@kiln/core-trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHooks } from './from-hooks.js';
import { History } from './history.js';
import { Profiler } from './profiler.js';
import { fakeRun, sink } from './test-utils/context.js';
import { cpu } from './test-utils/model.js';

beforeAll(cpu);

describe('Profiler', () => {
  it('times phases and instrumented hooks on a driven loop and prints a summary', async () => {
    const clock = { t: 0 };
    const out = sink();
    const profiler = new Profiler({ stream: out, now: () => clock.t });
    const slow = fromHooks({ onBatchEnd: () => { clock.t += 1; } }, { name: 'slow' });
    const history = new History();
    const [slowW, historyW] = profiler.instrument([slow, history]);
    const callbacks: Callback[] = [profiler, slowW, historyW];
    const run = fakeRun();
    const call = async (hook: keyof Callback) => { for (const cb of callbacks) await (cb[hook] as ((c: unknown) => unknown) | undefined)?.call(cb, run.ctx()); };
    await call('onTrainBegin');
    for (let e = 0; e < 2; e++) {
      run.state = { epoch: e, globalStep: e * 3, batchInEpoch: 0 };
      await call('onEpochBegin');
      for (let b = 0; b < 3; b++) {
        clock.t += 2; // data loading
        await call('onBatchBegin');
        clock.t += 5; // the step
        await call('onBatchEnd');
      }
      await call('onValidationBegin');
      clock.t += 10;
      await call('onValidationEnd');
      run.logs = { loss: e };
      await call('onEpochEnd');
    }
    await call('onTrainEnd');
    const s = profiler.summary();
    expect(s.phases['training step']).toEqual({ calls: 6, totalMs: 30, maxMs: 5 });
    expect(s.phases['data wait']).toEqual({ calls: 4, totalMs: 12, maxMs: 3 }); // 2 ms loading + 1 ms of the slow hook after the step
    expect(s.phases.validation).toEqual({ calls: 2, totalMs: 20, maxMs: 10 });
    expect(s.phases.fit.totalMs).toBe(clock.t);
    expect(s.hooks['slow.onBatchEnd']).toEqual({ calls: 6, totalMs: 6, maxMs: 1 });
    expect(s.hooks['history.onEpochEnd'].calls).toBe(2);
    expect(s.memory.peakRssBytes).toBeGreaterThan(0);
    expect(history.records).toHaveLength(2); // the wrapped callback still ran
    expect(historyW.stateKey).toBe('history');
    expect(historyW.stateDict!()).toEqual(history.stateDict());
    expect(out.text).toMatch(/training step\s+6\s+30\.0ms|training step\s+6/);
    expect(out.text).toMatch(/slow\.onBatchEnd\s+6/);
    expect(out.text).toMatch(/memory: peak \d+ tensors/);
  });
});
