import { type MetricFactory, definePlugin } from '@kiln/core-trainer';
import { z } from 'zod';
import { Accuracy } from './accuracy.js';
import { DiceScore, IoU } from './segmentation.js';

const threshold = { threshold: z.number().gt(0).lt(1).default(0.5), fromLogits: z.boolean().default(false), name: z.string().min(1).optional() };
const accuracy = z.strictObject({ ...threshold, topK: z.number().int().min(1).default(1), task: z.enum(['auto', 'multilabel']).default('auto') });
const overlap = z.strictObject({
  ...threshold, includeBackground: z.boolean().default(true), perClass: z.boolean().default(false), classNames: z.array(z.string()).optional(),
});

/**
 * The metric factories this package registers, by name: 'accuracy', 'dice', 'iou'.
 * @example const dice = metricFactories.dice.create(metricFactories.dice.schema.parse({ perClass: true }));
 */
export const metricFactories = {
  accuracy: { schema: accuracy, create: (o) => new Accuracy(o) } satisfies MetricFactory<z.output<typeof accuracy>>,
  dice: { schema: overlap, create: (o) => new DiceScore(o) } satisfies MetricFactory<z.output<typeof overlap>>,
  iou: { schema: overlap, create: (o) => new IoU(o) } satisfies MetricFactory<z.output<typeof overlap>>,
} as const;

/**
 * Plugin 'metrics': registers every entry of `metricFactories` in the `metrics` registry.
 * @example host.use(metricsPlugin); await host.setup(); host.registries.metrics.get('dice');
 */
export const metricsPlugin = definePlugin({
  name: 'metrics',
  version: '0.1.0',
  setup(ctx) {
    for (const [name, factory] of Object.entries(metricFactories)) ctx.metrics.register(name, factory);
  },
});
