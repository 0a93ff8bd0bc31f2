import {
  type BatchSource, type Callback, type Dataset, type Loss, type Metric, type PluginHost, type Registries,
  type Registry, Rng, SupervisedModule, KilnError, preflight, withSeededRandom,
} from '@kiln/core-trainer';
import { BatchLoader, datasetLabels } from '@kiln/data';
import { countLabels } from '@kiln/losses';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type ZodType, z } from 'zod';
import { validate } from '../config/load.js';
import { type NamedEntry, type RunConfig, splitNamed } from '../config/schema.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type WithSchema = { schema: ZodType<any> };

/** A registry entry resolved and its options validated against the entry's own schema, before any tensor exists. */
export interface Resolved<F> {
  readonly name: string;
  readonly factory: F;
  readonly options: any;
}

export interface ResolvedRun {
  readonly data: Resolved<Registries['datasets'] extends Registry<infer F> ? F : never>;
  readonly model: Resolved<Registries['models'] extends Registry<infer F> ? F : never>;
  readonly loss: Resolved<Registries['losses'] extends Registry<infer F> ? F : never>;
  readonly metrics: Resolved<Registries['metrics'] extends Registry<infer F> ? F : never>[];
  readonly optimizer: Resolved<Registries['optimizers'] extends Registry<infer F> ? F : never>;
  readonly schedule?: Resolved<Registries['schedules'] extends Registry<infer F> ? F : never>;
  readonly callbacks: Resolved<Registries['callbacks'] extends Registry<infer F> ? F : never>[];
  readonly loggers: Resolved<Registries['loggers'] extends Registry<infer F> ? F : never>[];
}

/** Looks every named section up in its registry and validates its options; errors name the config field. */
export function resolveRun(host: PluginHost, config: RunConfig): ResolvedRun {
  const r = host.registries;
  const { name: dataName, batchSize: _b, valBatchSize: _v, shuffle: _s, ...dataOptions } = config.data;
  const { name: optName, lr: _lr, weightDecay: _wd, paramGroups: _pg, ...optOptions } = config.optimizer;
  return {
    data: resolveOne(r.datasets, { name: dataName, options: dataOptions }, 'data'),
    model: resolveOne(r.models, splitNamed(config.model as NamedEntry), 'model'),
    loss: resolveOne(r.losses, splitNamed(config.loss), 'loss'),
    metrics: config.metrics.map((m, i) => resolveOne(r.metrics, splitNamed(m), `metrics.${i}`)),
    optimizer: resolveOne(r.optimizers, { name: optName, options: optOptions }, 'optimizer'),
    schedule: config.schedule ? resolveOne(r.schedules, splitNamed(config.schedule), 'schedule') : undefined,
    callbacks: config.callbacks.map((c, i) => resolveOne(r.callbacks, splitNamed(c), `callbacks.${i}`)),
    loggers: config.loggers.map((l, i) => resolveOne(r.loggers, splitNamed(l), `loggers.${i}`)),
  };
}

function resolveOne<F extends WithSchema>(registry: Registry<F>, entry: { name: string; options: Record<string, unknown> }, field: string): Resolved<F> {
  if (!registry.has(entry.name)) {
    const available = registry.names();
    throw new KilnError('KILN_REGISTRY_UNKNOWN',
      `'${field}${field.includes('.') || field === 'data' || field === 'model' || field === 'optimizer' ? '.name' : ''}': unknown ${registry.kind} '${entry.name}'. Available: ${available.join(', ') || '(none)'}.` +
      (registry.kind === 'model' || registry.kind === 'logger' ? ' A plugin that provides it can be added under \'plugins\'.' : ''),
      { details: { field, name: entry.name, available } });
  }
  const factory = registry.get(entry.name);
  const schema = factory.schema instanceof z.ZodObject ? (factory.schema as z.ZodObject).strict() : factory.schema;
  return { name: entry.name, factory, options: validate(schema, entry.options, field) };
}

export interface RunData {
  readonly train: BatchSource;
  readonly val?: BatchSource;
  readonly datasets: { train: Dataset; val?: Dataset };
}

export interface Assembled extends RunData {
  readonly module: SupervisedModule;
  readonly model: tfl.LayersModel;
}

/** Builds the datasets and their loaders (no tensors yet: backend-independent). */
export async function buildData(config: RunConfig, run: ResolvedRun, baseDir: string): Promise<RunData> {
  const seed = config.seed;
  const datasets = await run.data.factory.create(run.data.options, { seed, cwd: baseDir });
  const train = new BatchLoader(datasets.train, { batchSize: config.data.batchSize, shuffle: config.data.shuffle, seed });
  const val = datasets.val ? new BatchLoader(datasets.val, { batchSize: config.data.valBatchSize ?? config.data.batchSize, shuffle: false, seed }) : undefined;
  return { train, val, datasets };
}

/** Builds model, loss, metrics and the module on the active backend, weights initialised from the run seed. */
export async function buildModule(config: RunConfig, run: ResolvedRun, data: RunData): Promise<Assembled> {
  const spec = data.datasets.train.spec;
  // Weight initialisation drawn from the run seed, whatever the factory does internally.
  const model = withSeededRandom(new Rng(config.seed).fork('model-init'),
    () => run.model.factory.create(run.model.options, { inputShape: spec.inputShape, numClasses: spec.numClasses, task: spec.task }));
  const loss: Loss = run.loss.factory.create(await withClassCounts(run.loss.options, data.datasets.train));
  const metrics: Metric[] = run.metrics.map((m) => m.factory.create(m.options));
  const schedule = run.schedule;
  const module = new SupervisedModule({
    model, loss, metrics, lr: config.optimizer.lr, weightDecay: config.optimizer.weightDecay, paramGroups: config.optimizer.paramGroups,
    optimizer: (groups) => run.optimizer.factory.create(run.optimizer.options, groups),
    schedule: schedule ? (ctx) => schedule.factory.create(schedule.options, ctx) : undefined,
    monitor: schedule?.factory.monitor?.(schedule.options),
    mixup: config.mixup,
  });
  return { ...data, module, model };
}

/**
 * Kernel preflight (run after a backend is activated): one training step of a throwaway copy of
 * the model on a 2-sample batch, traced; throws KILN_BACKEND_MISSING_KERNEL naming every kernel the
 * backend lacks and the backends that have them. Nothing of the real run is touched.
 */
export async function preflightStep(config: RunConfig, run: ResolvedRun, data: RunData, backend: string): Promise<readonly string[]> {
  const probe = await buildModule(config, run, data);
  // Two samples, collated by a loader of their own: creating tensors needs no kernel.
  const two = new BatchLoader(data.datasets.train, { batchSize: Math.min(2, data.datasets.train.size), prefetch: 0 });
  const vars = probe.model.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    for await (const batch of two.epoch(0)) {
      try {
        return (await preflight(() => tf.variableGrads(() => probe.module.trainingStep(batch), vars).grads as unknown as tf.TensorContainer, backend)).kernels;
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
    }
    return [];
  } finally {
    probe.model.dispose();
  }
}

/**
 * `classWeights: 'balanced'` needs the training split's label counts (scikit-learn's rule):
 * filled in here from the data unless the config gives `classCounts`.
 */
async function withClassCounts(options: Record<string, unknown>, train: Dataset): Promise<Record<string, unknown>> {
  if (options.classWeights !== 'balanced' || options.classCounts !== undefined || train.spec.task !== 'classification') return options;
  const labels = (await datasetLabels(train)).filter((l): l is number => typeof l === 'number');
  return { ...options, classCounts: countLabels(labels, train.spec.numClasses) };
}

/** Instantiates the configured callbacks. */
export function makeCallbacks(run: ResolvedRun, runDir: string): Callback[] {
  return run.callbacks.map((c) => c.factory.create(c.options, { runDir }));
}
