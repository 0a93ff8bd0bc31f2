import type { DependencyContainer } from 'tsyringe';
import { CoreErrorCodes, KilnError } from '../errors.js';
import { type KilnPlugin, type PluginContext, type Registries, isKilnPlugin } from './plugin.js';
import { Registry } from './registry.js';

export interface LoadedPlugin {
  readonly name: string;
  readonly version?: string;
  /** Where it came from: a package name, a file path, or `built-in`. */
  readonly source: string;
}

/** A fresh set of empty registries. */
export function createRegistries(): Registries {
  return {
    models: new Registry('model'), backends: new Registry('backend'), losses: new Registry('loss'),
    metrics: new Registry('metric'), schedules: new Registry('schedule'), optimizers: new Registry('optimizer'),
    callbacks: new Registry('callback'), loggers: new Registry('logger'), datasets: new Registry('dataset'),
  };
}

/**
 * Collects plugins (`use`) and sets them up once (`setup`) in dependency order.
 * Contract: names are unique (KILN_PLUGIN_DUPLICATE), every `dependsOn` must be present
 * (KILN_PLUGIN_MISSING_DEP), cycles are rejected, and registrations are tagged with the plugin name.
 */
export class PluginHost {
  readonly registries: Registries;
  readonly #pending: { plugin: KilnPlugin; source: string }[] = [];
  readonly #loaded: LoadedPlugin[] = [];

  constructor(readonly container: DependencyContainer, registries: Registries = createRegistries()) {
    this.registries = registries;
  }

  get plugins(): readonly LoadedPlugin[] {
    return this.#loaded;
  }

  use(plugin: unknown, source = 'built-in'): this {
    if (!isKilnPlugin(plugin)) {
      throw new KilnError(CoreErrorCodes.PLUGIN_INVALID,
        `${source} does not export a Kiln plugin: its default export must be the value returned by definePlugin({ name, setup }).`,
        { details: { source } });
    }
    const dup = this.#pending.find((p) => p.plugin.name === plugin.name) ?? this.#loaded.find((p) => p.name === plugin.name);
    if (dup) {
      const other = dup.source;
      throw new KilnError(CoreErrorCodes.PLUGIN_DUPLICATE,
        `Plugin '${plugin.name}' is loaded twice (from ${other} and from ${source}). Remove one of them from 'plugins'.`,
        { details: { name: plugin.name, sources: [other, source] } });
    }
    this.#pending.push({ plugin, source });
    return this;
  }

  async setup(): Promise<void> {
    const pending = new Map(this.#pending.map((p) => [p.plugin.name, p]));
    const known = new Set([...pending.keys(), ...this.#loaded.map((p) => p.name)]);
    for (const { plugin } of this.#pending) {
      const missing = plugin.dependsOn.filter((d) => !known.has(d));
      if (missing.length) {
        throw new KilnError(CoreErrorCodes.PLUGIN_MISSING_DEP,
          `Plugin '${plugin.name}' depends on ${missing.map((m) => `'${m}'`).join(', ')}, which is not loaded. Add it to 'plugins' before '${plugin.name}'.`,
          { details: { plugin: plugin.name, missing } });
      }
    }
    const visiting = new Set<string>();
    const visit = async (name: string): Promise<void> => {
      const p = pending.get(name);
      if (!p) return;
      if (visiting.has(name)) {
        throw new KilnError(CoreErrorCodes.PLUGIN_MISSING_DEP, `Plugins depend on each other in a cycle through '${name}'.`, { details: { plugin: name } });
      }
      visiting.add(name);
      for (const dep of p.plugin.dependsOn) await visit(dep);
      pending.delete(name);
      const ctx: PluginContext = { ...this.#bound(name), container: this.container, plugin: name };
      await p.plugin.setup(ctx);
      this.#loaded.push({ name, version: p.plugin.version, source: p.source });
    };
    for (const { plugin } of [...this.#pending]) await visit(plugin.name);
    this.#pending.length = 0;
  }

  /** Registries whose `register` records the plugin's name without the plugin passing it. */
  #bound(plugin: string): Registries {
    const out = {} as Record<keyof Registries, Registry<unknown>>;
    for (const [k, r] of Object.entries(this.registries) as [keyof Registries, Registry<unknown>][]) out[k] = r.forPlugin(plugin);
    return out as unknown as Registries;
  }
}
