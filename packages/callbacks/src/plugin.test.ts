import { PluginHost, createRunContainer } from '@kiln/core-trainer';
import { describe, expect, it } from 'vitest';
import { History } from './history.js';
import { callbacksPlugin } from './plugin.js';
import { ProgressPrinter } from './progress-printer.js';

describe('callbacksPlugin', () => {
  it('registers factories whose schemas validate options before creating callbacks', async () => {
    const host = new PluginHost(createRunContainer());
    host.use(callbacksPlugin);
    await host.setup();
    const reg = host.registries.callbacks;
    expect(reg.entry('history').plugin).toBe('callbacks');
    const f = reg.get('progress');
    const opts = f.schema.parse({ maxEpochs: 5 });
    expect(opts).toEqual({ stream: 'stdout', maxEpochs: 5 });
    expect(f.create(opts, {})).toBeInstanceOf(ProgressPrinter);
    expect(reg.get('history').create(reg.get('history').schema.parse({}), {})).toBeInstanceOf(History);
    expect(f.schema.safeParse({ stream: 'file' }).success).toBe(false);
    expect(f.schema.safeParse({ colour: true }).success).toBe(false);
  });
});
