import { PluginHost, createRunContainer, isKilnError } from '@kiln/core-trainer';
import { describe, expect, it } from 'vitest';
import { ConstantSchedule, CosineSchedule, ReduceOnPlateauSchedule, createSchedule, scheduleFactories, schedulersPlugin } from './index.js';

const code = (c: string, arg?: string) => (e: unknown) => isKilnError(e, c as `KILN_${string}`) && (arg === undefined || (e as { details: { argument?: string } }).details.argument === arg);
const ctx = { baseLr: 0.1, stepsPerEpoch: 10, maxEpochs: 3, totalSteps: 30 };

describe('schedules', () => {
  it('default to per-epoch stepping and size cosine to the run', () => {
    const host = new PluginHost(createRunContainer()).use(schedulersPlugin);
    return host.setup().then(() => {
      expect(host.registries.schedules.names().sort()).toEqual([
        'constant', 'cosine', 'cosine-warm-restarts', 'exponential', 'multi-step', 'one-cycle', 'polynomial', 'reduce-on-plateau', 'step', 'warmup',
      ]);
      const f = host.registries.schedules.get('cosine');
      const perStep = f.create(f.schema.parse({ interval: 'step' }), ctx);
      expect(perStep.interval).toBe('step');
      for (let i = 0; i < 30; i++) perStep.step();
      expect(perStep.lr).toBe(0);
      const perEpoch = f.create(f.schema.parse({}), ctx);
      expect(perEpoch.interval).toBe('epoch');
      for (let i = 0; i < 3; i++) perEpoch.step();
      expect(perEpoch.lr).toBe(0);
      expect(() => f.schema.parse({ interval: 'batch' })).toThrow();
    });
  });

  it('reject bad options and foreign state with coded errors', () => {
    expect(() => new CosineSchedule(0.1, { tMax: 0 })).toThrow(expect.toSatisfy(code('KILN_SCHEDULE_INVALID_OPTION', 'tMax')));
    expect(() => new ConstantSchedule(0.1, { interval: 'batch' as never })).toThrow(expect.toSatisfy(code('KILN_SCHEDULE_INVALID_OPTION', 'interval')));
    expect(() => new ConstantSchedule(Number.NaN)).toThrow(expect.toSatisfy(code('KILN_SCHEDULE_INVALID_OPTION', 'baseLr')));
    const s = new CosineSchedule(0.1, { tMax: 3 });
    expect(() => s.loadStateDict(new ConstantSchedule(0.1).stateDict())).toThrow(expect.toSatisfy(code('KILN_SCHEDULE_STATE_INVALID')));
  });

  it('reject unknown names, warmup as long as the run and a plateau step without its metric', () => {
    expect(() => createSchedule('cosinus', {}, ctx)).toThrow(expect.toSatisfy(code('KILN_SCHEDULE_UNKNOWN', 'name')));
    expect(() => createSchedule('step', { stepSize: 0 }, ctx)).toThrow(expect.toSatisfy(code('KILN_SCHEDULE_INVALID_OPTION', 'stepSize')));
    expect(() => createSchedule('warmup', { warmup: 3 }, ctx)).toThrow(expect.toSatisfy(code('KILN_SCHEDULE_WARMUP_TOO_LONG', 'warmup')));
    expect(() => createSchedule('warmup', { warmup: 30, interval: 'step' }, ctx)).toThrow(/\[1, 29\]/);
    expect(() => createSchedule('warmup', { warmup: 1, schedule: { name: 'cosinus' } }, ctx)).toThrow(expect.toSatisfy(code('KILN_SCHEDULE_UNKNOWN', 'schedule.name')));
    expect(() => createSchedule('warmup', { warmup: 1, schedule: { name: 'warmup', warmup: 1 } }, ctx)).toThrow(expect.toSatisfy(code('KILN_SCHEDULE_UNKNOWN')));
    expect(() => createSchedule('warmup', { warmup: 1, interval: 'step', schedule: { name: 'cosine', interval: 'epoch' } }, ctx))
      .toThrow(expect.toSatisfy(code('KILN_SCHEDULE_INVALID_OPTION', 'schedule.interval')));
    expect(() => new ReduceOnPlateauSchedule(0.1).step()).toThrow(expect.toSatisfy(code('KILN_SCHEDULE_METRIC_MISSING', 'metric')));
  });

  it('warmup forwards the monitored metric to a wrapped plateau schedule and reports its monitor', () => {
    const options = scheduleFactories.warmup.schema.parse({ warmup: 2, schedule: { name: 'reduce-on-plateau', monitor: 'val_dice', mode: 'max', patience: 0 } });
    expect(scheduleFactories.warmup.monitor(options)).toBe('val_dice');
    const s = scheduleFactories.warmup.create(options, ctx);
    expect(s.lr).toBeCloseTo(0.001, 12);
    s.step(0.5);
    s.step(0.5);
    expect(s.lr).toBe(0.1);
    s.step(0.6); // plateau's first value: best
    s.step(0.6); // no improvement, patience 0: reduce
    expect(s.lr).toBeCloseTo(0.01, 12);
    const again = scheduleFactories.warmup.create(options, ctx);
    again.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
    expect(again.lr).toBeCloseTo(0.01, 12);
  });
});
