import type { DependencyContainer } from 'tsyringe';
import type { BackendProvider } from '../contracts/backend.js';
import type { CallbackFactory, DatasetFactory, OptimizerFactory } from '../contracts/factories.js';
import type { LoggerFactory } from '../contracts/logger.js';
import type { LossFactory } from '../contracts/loss.js';
import type { MetricFactory } from '../contracts/metric.js';
import type { ModelFactory } from '../contracts/model.js';
import type { LrScheduleFactory } from '../contracts/schedule.js';
import { CoreErrorCodes, KilnError } from '../errors.js';
import type { Registry } from './registry.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- registries hold factories of any option type */
/** The registries a plugin fills. Each is named: `ctx.models.register('unet', factory)`. */
export interface Registries {
  readonly models: Registry<ModelFactory<any>>;
  readonly backends: Registry<BackendProvider>;
  readonly losses: Registry<LossFactory<any>>;
  readonly metrics: Registry<MetricFactory<any>>;
  readonly schedules: Registry<LrScheduleFactory<any>>;
  readonly optimizers: Registry<OptimizerFactory<any>>;
  readonly callbacks: Registry<CallbackFactory<any>>;
  readonly loggers: Registry<LoggerFactory<any>>;
  readonly datasets: Registry<DatasetFactory<any>>;
}

/** What `setup` receives: the registries, bound to the plugin's name, and the run's DI container. */
export interface PluginContext extends Registries {
  readonly container: DependencyContainer;
  readonly plugin: string;
}

export interface PluginDefinition {
  /** Unique name; a duplicate fails with KILN_PLUGIN_DUPLICATE. */
  readonly name: string;
  readonly version?: string;
  /** Names of plugins that must be set up first; a missing one fails with KILN_PLUGIN_MISSING_DEP. */
  readonly dependsOn?: readonly string[];
  setup(ctx: PluginContext): void | Promise<void>;
}

export interface KilnPlugin extends PluginDefinition {
  readonly kind: 'kiln-plugin';
  readonly dependsOn: readonly string[];
}

/**
 * Declares a plugin as a value: importing the module has no side effects; the host calls `setup`.
 * @example export default definePlugin({ name: 'model-tiny', setup(ctx) { ctx.models.register('tiny', tinyFactory) } })
 */
export function definePlugin(def: PluginDefinition): KilnPlugin {
  if (!def || typeof def.name !== 'string' || !/^[@a-z0-9][\w./@-]*$/i.test(def.name)) {
    throw new KilnError(CoreErrorCodes.PLUGIN_INVALID, `definePlugin needs a 'name' of letters, digits, '-', '/', '.', '@' (got ${JSON.stringify(def?.name)}).`);
  }
  if (typeof def.setup !== 'function') {
    throw new KilnError(CoreErrorCodes.PLUGIN_INVALID, `Plugin '${def.name}' has no setup(ctx) function.`);
  }
  return Object.freeze({ ...def, kind: 'kiln-plugin' as const, dependsOn: Object.freeze([...(def.dependsOn ?? [])]) });
}

/** True for values made by `definePlugin` (also across package copies). */
export function isKilnPlugin(value: unknown): value is KilnPlugin {
  return typeof value === 'object' && value !== null && (value as KilnPlugin).kind === 'kiln-plugin' &&
    typeof (value as KilnPlugin).name === 'string' && typeof (value as KilnPlugin).setup === 'function';
}
