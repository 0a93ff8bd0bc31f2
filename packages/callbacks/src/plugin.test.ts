import { PluginHost, createRunContainer } from '@kiln/core-trainer';
import { describe, expect, it } from 'vitest';
import { EarlyStopping } from './early-stopping.js';
import { History } from './history.js';
import { ModelCheckpoint } from './model-checkpoint.js';
import { callbackFactories, callbacksPlugin } from './plugin.js';
import { ProgressPrinter } from './progress-printer.js';
import { Timer } from './timer.js';

async function registry() {
  const host = new PluginHost(createRunContainer());
  host.use(callbacksPlugin);
  await host.setup();
  return host.registries.callbacks;
}

describe('callbacksPlugin', () => {
  it('registers every factory; each schema fills defaults and the factory creates its callback', async () => {
    const reg = await registry();
    expect(reg.names()).toEqual(Object.keys(callbackFactories).sort());
    expect(reg.entry('history').plugin).toBe('callbacks');
    const minimal: Record<string, unknown> = { timer: { maxTime: '01:00:00' } };
    for (const name of reg.names()) {
      const f = reg.get(name);
      const cb = f.create(f.schema.parse(minimal[name] ?? {}), { runDir: '/tmp/run' });
      expect(cb.name, name).toBe(name === 'progress' ? 'progress' : name);
    }
    const progress = reg.get('progress');
    expect(progress.schema.parse({ maxEpochs: 5 })).toEqual({ stream: 'stdout', maxEpochs: 5 });
    expect(progress.create(progress.schema.parse({}), {})).toBeInstanceOf(ProgressPrinter);
    expect(reg.get('history').create({}, {})).toBeInstanceOf(History);
    const es = reg.get('early-stopping');
    const esCb = es.create(es.schema.parse({ monitor: 'val_dice', patience: 5 }), {}) as EarlyStopping;
    expect([esCb.monitor.mode, esCb.patience]).toEqual(['max', 5]);
    const mc = reg.get('model-checkpoint');
    expect((mc.create(mc.schema.parse({}), { runDir: '/tmp/run' }) as ModelCheckpoint).dirpath).toBe('/tmp/run/checkpoints');
    const timer = reg.get('timer');
    expect((timer.create(timer.schema.parse({ maxTime: '00:00:10:00' }), {}) as Timer).maxMs).toBe(600_000);
  });

  it('rejects unknown options and wrong values through the schemas', async () => {
    const reg = await registry();
    const bad: [string, unknown][] = [
      ['progress', { stream: 'file' }], ['progress', { colour: true }], ['early-stopping', { patience: -1 }],
      ['early-stopping', { mode: 'up' }], ['model-checkpoint', { saveTopK: -2 }], ['timer', {}], ['timer', { maxTime: 'soon' }],
      ['tensor-leak-guard', { action: 'explode' }], ['layer-stats', { include: [] }],
    ];
    for (const [name, opts] of bad) expect(reg.get(name).schema.safeParse(opts).success, `${name} ${JSON.stringify(opts)}`).toBe(false);
  });
});
