import { join } from 'node:path';
import { type CallbackFactory, definePlugin } from '@kiln/core-trainer';
import { z } from 'zod';
import { EarlyStopping } from './early-stopping.js';
import { History } from './history.js';
import { LayerStatistics } from './layer-statistics.js';
import { LearningRateMonitor } from './lr-monitor.js';
import { ModelCheckpoint } from './model-checkpoint.js';
import { NaNGuard } from './nan-guard.js';
import { Profiler } from './profiler.js';
import { ProgressBar } from './progress-bar.js';
import { ProgressPrinter } from './progress-printer.js';
import { TensorLeakGuard } from './tensor-leak-guard.js';
import { Timer } from './timer.js';

const stream = (s: 'stdout' | 'stderr') => (s === 'stderr' ? process.stderr : process.stdout);
const mode = z.enum(['min', 'max', 'auto']).default('auto');
const posInt = z.number().int().positive();

const schemas = {
  history: z.strictObject({}),
  progress: z.strictObject({ stream: z.enum(['stdout', 'stderr']).default('stdout'), maxEpochs: posInt.optional(), keys: z.array(z.string()).optional() }),
  'progress-bar': z.strictObject({ stream: z.enum(['stdout', 'stderr']).default('stderr'), refreshMs: posInt.optional(), printEverySec: z.number().positive().optional() }),
  'early-stopping': z.strictObject({
    monitor: z.string().min(1).default('val_loss'), mode, patience: z.number().int().min(0).default(3), minDelta: z.number().min(0).default(0),
    baseline: z.number().optional(), restoreBestWeights: z.boolean().default(false), startFromEpoch: z.number().int().min(0).default(0), checkFinite: z.boolean().default(true),
  }),
  'model-checkpoint': z.strictObject({
    dirpath: z.string().optional(), filename: z.string().optional(), autoInsertMetricName: z.boolean().default(true), monitor: z.string().min(1).optional(), mode,
    saveTopK: z.number().int().min(-1).default(1), saveLast: z.boolean().default(false), everyNEpochs: z.number().int().min(0).optional(),
    everyNSteps: z.number().int().min(0).optional(), saveOnException: z.boolean().default(false),
  }),
  'lr-monitor': z.strictObject({ loggingInterval: z.enum(['step', 'epoch']).default('epoch') }),
  'nan-guard': z.strictObject({ checkWeightsEveryNSteps: z.number().int().min(0).default(0), checkGradsEveryNSteps: z.number().int().min(0).default(1), action: z.enum(['stop', 'raise']).default('stop') }),
  'tensor-leak-guard': z.strictObject({ action: z.enum(['warn', 'fail']).default('warn'), patience: posInt.default(3), warmupSteps: z.number().int().min(0).default(2) }),
  timer: z.strictObject({
    maxTime: z.union([z.number().positive(), z.string().regex(/^\d+(:\d+){0,3}$/, 'use "DD:HH:MM:SS"'), z.strictObject({ days: z.number().min(0).optional(), hours: z.number().min(0).optional(), minutes: z.number().min(0).optional(), seconds: z.number().min(0).optional() })]),
    interval: z.enum(['step', 'epoch']).default('step'),
  }),
  profiler: z.strictObject({ stream: z.enum(['stdout', 'stderr', 'none']).default('stderr') }),
  'layer-stats': z.strictObject({ everyNSteps: posInt.default(50), include: z.array(z.enum(['weights', 'grads'])).min(1).default(['weights', 'grads']) }),
};
type Opts<K extends keyof typeof schemas> = z.infer<(typeof schemas)[K]>;
function factory<K extends keyof typeof schemas>(name: K, description: string, create: CallbackFactory<Opts<K>>['create']): CallbackFactory<Opts<K>> {
  return { schema: schemas[name] as unknown as CallbackFactory<Opts<K>>['schema'], description, create };
}

/** The callback factories `callbacksPlugin` registers, by name; each validates its options with a zod schema. */
export const callbackFactories = {
  history: factory('history', "Collects every epoch's logs (Keras History).", () => new History()),
  progress: factory('progress', 'One line per epoch: losses, metrics, LR, epoch time and ETA.',
    (o) => new ProgressPrinter({ stream: stream(o.stream), maxEpochs: o.maxEpochs, keys: o.keys })),
  'progress-bar': factory('progress-bar', 'Live bar with it/s, ETA and metrics on a TTY; plain periodic lines otherwise or in CI.',
    (o) => new ProgressBar({ stream: stream(o.stream), refreshMs: o.refreshMs, printEverySec: o.printEverySec })),
  'early-stopping': factory('early-stopping', 'Stops when a monitored metric stops improving (Keras semantics).', (o) => new EarlyStopping(o)),
  'model-checkpoint': factory('model-checkpoint', 'Saves full checkpoints, keeping the best k by a metric and/or the last.',
    (o, ctx) => new ModelCheckpoint({ ...o, dirpath: o.dirpath ?? (ctx.runDir ? join(ctx.runDir, 'checkpoints') : undefined) })),
  'lr-monitor': factory('lr-monitor', 'Records the learning rate of each parameter group.', (o) => new LearningRateMonitor(o)),
  'nan-guard': factory('nan-guard', 'Stops at the first NaN/Inf loss, metric, gradient or weight; keeps the last good checkpoint.', (o) => new NaNGuard(o)),
  'tensor-leak-guard': factory('tensor-leak-guard', 'Warns or fails, naming the phase, when tf tensors grow step after step.', (o) => new TensorLeakGuard(o)),
  timer: factory('timer', 'Stops training after maxTime (summed over resumes).', (o) => new Timer(o)),
  profiler: factory('profiler', 'Times phases and hooks, samples memory, prints a summary at the end.',
    (o) => new Profiler({ stream: o.stream === 'none' ? undefined : stream(o.stream) })),
  'layer-stats': factory('layer-stats', 'Mean/std/max of weights and gradients per layer and the global gradient norm.', (o) => new LayerStatistics(o)),
};

/**
 * Registers Kiln's callbacks in `ctx.callbacks` under the names of `callbackFactories`.
 * @example host.use(callbacksPlugin); await host.setup(); host.registries.callbacks.get('early-stopping').create({ patience: 5 }, {})
 */
export const callbacksPlugin = definePlugin({
  name: 'callbacks',
  version: '0.1.0',
  setup(ctx) {
    for (const [name, f] of Object.entries(callbackFactories)) ctx.callbacks.register(name, f as CallbackFactory<never>);
  },
});
