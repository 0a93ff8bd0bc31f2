import { CoreErrorCodes, KilnError } from '../errors.js';

export interface RegistryEntry<T> {
  readonly name: string;
  readonly value: T;
  /** The plugin that registered it. */
  readonly plugin: string;
}

/**
 * A named, typed registry (models, backends, losses…). Names are unique: registering one twice
 * throws KILN_REGISTRY_DUPLICATE naming both plugins; `get` of an unknown name throws
 * KILN_REGISTRY_UNKNOWN listing what is available.
 * @example const models = new Registry<ModelFactory>('model'); models.register('unet', factory, 'model-unet');
 */
export class Registry<T> {
  readonly #entries: Map<string, RegistryEntry<T>>;
  readonly #plugin: string;

  constructor(readonly kind: string, entries = new Map<string, RegistryEntry<T>>(), plugin = 'user') {
    this.#entries = entries;
    this.#plugin = plugin;
  }

  /** A view of the same entries whose `register` records `plugin` as the registrant. */
  forPlugin(plugin: string): Registry<T> {
    return new Registry(this.kind, this.#entries, plugin);
  }

  register(name: string, value: T, plugin = this.#plugin): void {
    const existing = this.#entries.get(name);
    if (existing) {
      throw new KilnError(CoreErrorCodes.REGISTRY_DUPLICATE,
        `${this.kind} '${name}' is registered twice: by plugin '${existing.plugin}' and by plugin '${plugin}'. Rename one or load only one of the plugins.`,
        { details: { kind: this.kind, name, plugins: [existing.plugin, plugin] } });
    }
    this.#entries.set(name, { name, value, plugin });
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  get(name: string): T {
    return this.entry(name).value;
  }

  entry(name: string): RegistryEntry<T> {
    const e = this.#entries.get(name);
    if (!e) {
      const available = this.names();
      throw new KilnError(CoreErrorCodes.REGISTRY_UNKNOWN,
        `Unknown ${this.kind} '${name}'. Available: ${available.length ? available.join(', ') : '(none registered: load a plugin that provides one)'}.`,
        { details: { kind: this.kind, name, available } });
    }
    return e;
  }

  names(): string[] {
    return [...this.#entries.keys()].sort();
  }

  entries(): RegistryEntry<T>[] {
    return this.names().map((n) => this.#entries.get(n)!);
  }
}
