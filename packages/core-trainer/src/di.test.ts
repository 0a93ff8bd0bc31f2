import { container } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { CoreTokens, createRunContainer, registerCoreTrainer } from './di.js';
import { PluginHost } from './plugin/plugin-host.js';
import { Rng } from './rng.js';

describe('DI', () => {
  it('resolves every registered core token in a run container', () => {
    const c = registerCoreTrainer(createRunContainer(), { seed: 5 });
    for (const [name, tok] of Object.entries(CoreTokens)) {
      expect(c.isRegistered(tok), name).toBe(true);
      expect(c.resolve(tok), name).toBeDefined();
    }
    expect(c.resolve(CoreTokens.PluginHost)).toBeInstanceOf(PluginHost);
    expect(c.resolve(CoreTokens.Rng)).toBeInstanceOf(Rng);
    // singletons within the run: the host sees the same registries the token gives
    expect(c.resolve(CoreTokens.PluginHost).registries).toBe(c.resolve(CoreTokens.Registries));
  });

  it('keeps runs apart: each run container has its own registries and nothing leaks to the root', async () => {
    const a = registerCoreTrainer(createRunContainer(), { seed: 1 });
    const b = registerCoreTrainer(createRunContainer(), { seed: 2 });
    a.resolve(CoreTokens.Registries).models.register('m', { schema: undefined as never, create: () => undefined as never });
    expect(b.resolve(CoreTokens.Registries).models.has('m')).toBe(false);
    expect(container.isRegistered(CoreTokens.Registries)).toBe(false);
    expect(a.resolve(CoreTokens.Rng).state()).not.toEqual(b.resolve(CoreTokens.Rng).state());
    await a.dispose();
    expect(() => a.resolve(CoreTokens.Seed)).toThrow();
  });
});
