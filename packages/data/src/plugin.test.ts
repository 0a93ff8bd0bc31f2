import { container } from 'tsyringe';
import { PluginHost, type Sample } from '@kiln/core-trainer';
import { describe, expect, it } from 'vitest';
import { dataPlugin } from './plugin.js';

describe('dataPlugin', () => {
  it("registers 'shapes', whose schema fills defaults and rejects unknown keys, and whose sets do not overlap", async () => {
    const host = new PluginHost(container.createChildContainer()).use(dataPlugin);
    await host.setup();
    const entry = host.registries.datasets.entry('shapes');
    expect(entry.plugin).toBe('data');
    const opts = entry.value.schema.parse({ size: 8, valSize: 4, imageSize: 16 });
    expect(opts).toMatchObject({ task: 'segmentation', size: 8, valSize: 4, imageSize: 16 });
    expect(() => entry.value.schema.parse({ sise: 8 })).toThrow(/sise/);
    const { train, val } = await entry.value.create(opts, { seed: 3, cwd: '.' });
    expect([train.size, val?.size]).toEqual([8, 4]);
    const ids = new Set(Array.from({ length: 8 }, (_, i) => (train.get(i) as Sample).id));
    expect(ids.has((val!.get(0) as Sample).id)).toBe(false);
    const again = await entry.value.create(opts, { seed: 3, cwd: '.' });
    expect((again.train.get(5) as Sample).x).toEqual((train.get(5) as Sample).x);
  });
});
