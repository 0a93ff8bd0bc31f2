import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginHost, createRunContainer } from '@kiln/core-trainer';
import { describe, expect, it } from 'vitest';
import { loggersPlugin } from './plugin.js';

describe('loggersPlugin', () => {
  it("registers 'console', 'jsonl' and 'csv' with option schemas that write into the run dir", async () => {
    const host = new PluginHost(createRunContainer()).use(loggersPlugin);
    await host.setup();
    const reg = host.registries.loggers;
    expect(reg.names()).toEqual(['console', 'csv', 'jsonl']);
    expect(reg.entry('jsonl').plugin).toBe('loggers');
    const runDir = mkdtempSync(join(tmpdir(), 'kiln-plugin-'));
    const ctx = { runDir, runName: 'r', resumed: false, env: {} };
    const jsonl = reg.get('jsonl');
    const log = await jsonl.create(jsonl.schema.parse({}), ctx);
    await log.logMetrics(1, { loss: 2 });
    expect(readFileSync(join(runDir, 'history.jsonl'), 'utf8')).toMatch(/^\{"step":1,"time":\d+,"loss":2\}\n$/);
    const csv = reg.get('csv');
    (await csv.create(csv.schema.parse({ path: 'h.csv' }), ctx)).logMetrics(1, { loss: 2 });
    expect(readFileSync(join(runDir, 'h.csv'), 'utf8')).toMatch(/^step,time,loss\n1,\d+,2\n$/);
    expect(() => reg.get('console').schema.parse({ digits: 'four' })).toThrow();
    expect(() => reg.get('jsonl').schema.parse({ pth: 'x' })).toThrow(/pth/);
  });
});
