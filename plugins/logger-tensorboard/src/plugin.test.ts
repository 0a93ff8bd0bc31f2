import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginHost, createRunContainer } from '@kiln/core-trainer';
import { describe, expect, it } from 'vitest';
import { loggerTensorBoardPlugin } from './plugin.js';
import { readEventFile } from './reader.js';

describe('loggerTensorBoardPlugin', () => {
  it("registers 'tensorboard', which writes into <runDir>/tensorboard", async () => {
    const host = new PluginHost(createRunContainer()).use(loggerTensorBoardPlugin);
    await host.setup();
    const factory = host.registries.loggers.get('tensorboard');
    expect(host.registries.loggers.entry('tensorboard').plugin).toBe('logger-tensorboard');
    expect(() => factory.schema.parse({ dirr: 'x' })).toThrow(/dirr/);
    const runDir = mkdtempSync(join(tmpdir(), 'kiln-tbplugin-'));
    const logger = await factory.create(factory.schema.parse({}), { runDir, runName: 'r', resumed: false, env: {} });
    await logger.logMetrics(3, { loss: 0.5 });
    await logger.finish('failed');
    const files = readdirSync(join(runDir, 'tensorboard'));
    expect(files).toHaveLength(1);
    const events = readEventFile(join(runDir, 'tensorboard', files[0]!));
    expect(events.find((e) => e.step === 3)!.values).toEqual([{ tag: 'loss', simpleValue: 0.5 }]);
    expect(events.at(-1)!.values[0]!.tag).toBe('_hparams_/session_end_info');
  });
});
