import { container } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { isKilnError } from '../errors.js';
import { definePlugin } from './plugin.js';
import { PluginHost } from './plugin-host.js';

const noop = { schema: undefined as never, create: () => undefined as never };

describe('PluginHost', () => {
  it('sets plugins up in dependency order and tags registrations with the plugin name', async () => {
    const order: string[] = [];
    const host = new PluginHost(container.createChildContainer());
    host.use(definePlugin({ name: 'b', dependsOn: ['a'], setup: (ctx) => { order.push('b'); ctx.models.register('m-b', noop); } }), './b.mjs');
    host.use(definePlugin({ name: 'a', setup: () => { order.push('a'); } }));
    await host.setup();
    expect(order).toEqual(['a', 'b']);
    expect(host.registries.models.entry('m-b').plugin).toBe('b');
    expect(host.plugins.map((p) => [p.name, p.source])).toEqual([['a', 'built-in'], ['b', './b.mjs']]);
  });

  it('rejects a duplicate plugin, a missing dependency and a non-plugin with their codes', async () => {
    const host = new PluginHost(container.createChildContainer());
    host.use(definePlugin({ name: 'a', setup() {} }));
    expect(() => host.use(definePlugin({ name: 'a', setup() {} }), 'x.mjs')).toThrow(expect.objectContaining({ code: 'KILN_PLUGIN_DUPLICATE' }));
    expect(() => host.use({ default: 1 }, './nope.mjs')).toThrow(expect.objectContaining({ code: 'KILN_PLUGIN_INVALID' }));
    host.use(definePlugin({ name: 'c', dependsOn: ['zzz'], setup() {} }));
    await expect(host.setup()).rejects.toSatisfy((e: unknown) => isKilnError(e, 'KILN_PLUGIN_MISSING_DEP') && /zzz/.test((e as Error).message));
  });

  it('names both plugins when two register the same model, and lists what exists for an unknown name', async () => {
    const host = new PluginHost(container.createChildContainer());
    host.use(definePlugin({ name: 'p1', setup: (ctx) => ctx.models.register('unet', noop) }));
    host.use(definePlugin({ name: 'p2', setup: (ctx) => ctx.models.register('unet', noop) }));
    await expect(host.setup()).rejects.toThrow(/'p1'.*'p2'/);
    expect(() => host.registries.models.get('resnet')).toThrow(/Unknown model 'resnet'\. Available: unet/);
  });
});
