import { type DependencyContainer, container as rootContainer, instanceCachingFactory } from 'tsyringe';
import type { Registries } from './plugin/plugin.js';
import { PluginHost, createRegistries } from './plugin/plugin-host.js';
import { Rng } from './rng.js';
import { token } from './tokens.js';

/** DI tokens owned by @kiln/core-trainer. Other packages export their own via `token()`. */
export const CoreTokens = {
  Registries: token<Registries>('@kiln/core-trainer:Registries'),
  PluginHost: token<PluginHost>('@kiln/core-trainer:PluginHost'),
  Seed: token<number>('@kiln/core-trainer:Seed'),
  Rng: token<Rng>('@kiln/core-trainer:Rng'),
} as const;

export interface CoreTrainerRegistration {
  /** Seed of the run's root RNG. */
  readonly seed?: number;
}

/**
 * Binds the core services into `container` with factories (no decorator metadata needed):
 * one registry set and plugin host per container, and the run's seeded RNG.
 * @example const c = createRunContainer(); registerCoreTrainer(c, { seed: 7 }); c.resolve(CoreTokens.PluginHost);
 */
export function registerCoreTrainer(container: DependencyContainer, options: CoreTrainerRegistration = {}): DependencyContainer {
  container.register(CoreTokens.Seed, { useValue: options.seed ?? 0 });
  container.register(CoreTokens.Registries, { useFactory: instanceCachingFactory(() => createRegistries()) });
  container.register(CoreTokens.PluginHost, {
    useFactory: instanceCachingFactory((c) => new PluginHost(c, c.resolve(CoreTokens.Registries))),
  });
  container.register(CoreTokens.Rng, { useFactory: instanceCachingFactory((c) => new Rng(c.resolve(CoreTokens.Seed))) });
  return container;
}

/**
 * A child container for one training run. Dispose it at the end (`await c.dispose()`) so nothing
 * bound for the run outlives it.
 */
export function createRunContainer(parent: DependencyContainer = rootContainer): DependencyContainer {
  return parent.createChildContainer();
}
