import { describe, expect, it } from 'vitest';
import { fromHooks } from './from-hooks.js';
import { fakeRun } from './test-utils/context.js';

describe('fromHooks', () => {
  it('turns a plain object of hooks into a callback that runs', async () => {
    const seen: number[] = [];
    const cb = fromHooks({ onEpochEnd: (ctx) => { seen.push(ctx.state.epoch); if (ctx.state.epoch === 1) ctx.stop('done'); } }, { name: 'watch', order: 5 });
    const run = fakeRun();
    for (const e of [0, 1]) {
      run.state = { epoch: e, globalStep: 0, batchInEpoch: 0 };
      await cb.onEpochEnd!(run.ctx());
    }
    expect([cb.name, cb.order, seen, run.stops]).toEqual(['watch', 5, [0, 1], ['done']]);
  });

  it('rejects a misspelt hook and state without a stateKey', () => {
    expect(() => fromHooks({ onEpochEnds: () => {} } as never)).toThrow(/'onEpochEnds' is not a hook function\. Hooks: onTrainBegin/);
    expect(() => fromHooks({ stateDict: () => ({}) })).toThrow(expect.objectContaining({ code: 'KILN_CALLBACK_OPTIONS_INVALID' }));
    const ok = fromHooks({ stateDict: () => ({ n: 1 }), loadStateDict: () => {} }, { stateKey: 'mine' });
    expect(ok.stateDict!()).toEqual({ n: 1 });
  });
});
