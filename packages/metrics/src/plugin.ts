import { type MetricFactory, definePlugin } from '@kiln/core-trainer';
import { z } from 'zod';
import { Accuracy } from './accuracy.js';
import { CalibrationError } from './calibration.js';
import { type ClassificationKind, ClassificationScore, ConfusionMatrix } from './classification.js';
import { AveragePrecision, Auroc, SensitivityThreshold } from './ranking.js';
import { RegressionMetric } from './regression.js';
import { DiceScore, IoU } from './segmentation.js';

const name = z.string().min(1).optional();
const threshold = { threshold: z.number().gt(0).lt(1).default(0.5), fromLogits: z.boolean().default(false), name };
const classNames = z.array(z.string()).optional();
const accuracy = z.strictObject({ ...threshold, topK: z.number().int().min(1).default(1), task: z.enum(['auto', 'multilabel']).default('auto') });
const overlap = z.strictObject({ ...threshold, includeBackground: z.boolean().default(true), perClass: z.boolean().default(false), classNames });
const classification = z.strictObject({
  ...threshold, average: z.enum(['binary', 'micro', 'macro', 'weighted', 'none']).optional(), zeroDivision: z.union([z.literal(0), z.literal(1)]).default(0), classNames,
});
const confusion = z.strictObject({ ...threshold, normalize: z.enum(['true', 'pred', 'all']).optional() });
const ranking = z.strictObject({ average: z.enum(['macro', 'micro', 'weighted', 'none']).default('macro'), fromLogits: z.boolean().default(false), classNames, name });
const sensitivityThreshold = z.strictObject({ targetSensitivity: z.number().gt(0).max(1), column: z.number().int().min(0).default(0), fromLogits: z.boolean().default(false), name });
const regression = z.strictObject({ name });
const calibration = z.strictObject({ bins: z.number().int().min(1).default(15), fromLogits: z.boolean().default(false), name });

type ClassificationFactory = MetricFactory<z.output<typeof classification>>;
const classificationFactory = (kind: ClassificationKind): ClassificationFactory => ({ schema: classification, create: (o) => new ClassificationScore(kind, o) });
const regressionFactory = (kind: 'mae' | 'rmse' | 'pearson'): MetricFactory<z.output<typeof regression>> => ({ schema: regression, create: (o) => new RegressionMetric(kind, o) });

/**
 * The metric factories this package registers, by name: 'accuracy', 'pixel-accuracy', 'precision',
 * 'recall', 'sensitivity', 'specificity', 'f1', 'confusion-matrix', 'auroc', 'average-precision',
 * 'sensitivity-threshold', 'dice', 'iou', 'mae', 'rmse', 'pearson', 'ece'.
 * @example const dice = metricFactories.dice.create(metricFactories.dice.schema.parse({ perClass: true }));
 */
export const metricFactories = {
  accuracy: { schema: accuracy, create: (o) => new Accuracy(o) } satisfies MetricFactory<z.output<typeof accuracy>>,
  'pixel-accuracy': { schema: accuracy, create: (o) => new Accuracy({ ...o, name: o.name ?? 'pixel_accuracy' }) } satisfies MetricFactory<z.output<typeof accuracy>>,
  precision: classificationFactory('precision'),
  recall: classificationFactory('recall'),
  sensitivity: classificationFactory('sensitivity'),
  specificity: classificationFactory('specificity'),
  f1: classificationFactory('f1'),
  'confusion-matrix': { schema: confusion, create: (o) => new ConfusionMatrix(o) } satisfies MetricFactory<z.output<typeof confusion>>,
  auroc: { schema: ranking, create: (o) => new Auroc(o) } satisfies MetricFactory<z.output<typeof ranking>>,
  'average-precision': { schema: ranking, create: (o) => new AveragePrecision(o) } satisfies MetricFactory<z.output<typeof ranking>>,
  'sensitivity-threshold': { schema: sensitivityThreshold, create: (o) => new SensitivityThreshold(o) } satisfies MetricFactory<z.output<typeof sensitivityThreshold>>,
  dice: { schema: overlap, create: (o) => new DiceScore(o) } satisfies MetricFactory<z.output<typeof overlap>>,
  iou: { schema: overlap, create: (o) => new IoU(o) } satisfies MetricFactory<z.output<typeof overlap>>,
  mae: regressionFactory('mae'),
  rmse: regressionFactory('rmse'),
  pearson: regressionFactory('pearson'),
  ece: { schema: calibration, create: (o) => new CalibrationError(o) } satisfies MetricFactory<z.output<typeof calibration>>,
} as const;

/**
 * Plugin 'metrics': registers every entry of `metricFactories` in the `metrics` registry.
 * @example host.use(metricsPlugin); await host.setup(); host.registries.metrics.get('dice');
 */
export const metricsPlugin = definePlugin({
  name: 'metrics',
  version: '0.1.0',
  setup(ctx) {
    for (const [n, factory] of Object.entries(metricFactories)) ctx.metrics.register(n, factory);
  },
});
