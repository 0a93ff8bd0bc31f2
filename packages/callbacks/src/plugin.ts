import { type CallbackFactory, definePlugin } from '@kiln/core-trainer';
import { z } from 'zod';
import { History } from './history.js';
import { ProgressPrinter } from './progress-printer.js';

const historySchema = z.strictObject({});
const progressSchema = z.strictObject({
  stream: z.enum(['stdout', 'stderr']).default('stdout'),
  maxEpochs: z.number().int().positive().optional(),
  keys: z.array(z.string()).optional(),
});

/** The callback factories `callbacksPlugin` registers, by name. */
export const callbackFactories = {
  history: {
    schema: historySchema,
    description: 'Collects every epoch\'s logs (Keras History).',
    create: () => new History(),
  } satisfies CallbackFactory<z.infer<typeof historySchema>>,
  progress: {
    schema: progressSchema,
    description: 'One line per epoch: losses, metrics, LR, epoch time and ETA.',
    create: (o) => new ProgressPrinter({ stream: o.stream === 'stderr' ? process.stderr : process.stdout, maxEpochs: o.maxEpochs, keys: o.keys }),
  } satisfies CallbackFactory<z.infer<typeof progressSchema>>,
};

/**
 * Registers Kiln's callbacks in `ctx.callbacks` under the names of `callbackFactories`.
 * @example host.use(callbacksPlugin); await host.setup(); host.registries.callbacks.get('progress').create({ stream: 'stdout' }, {})
 */
export const callbacksPlugin = definePlugin({
  name: 'callbacks',
  version: '0.1.0',
  setup(ctx) {
    for (const [name, factory] of Object.entries(callbackFactories)) ctx.callbacks.register(name, factory);
  },
});
