import { type LossFactory, definePlugin } from '@kiln/core-trainer';
import { z } from 'zod';
import { BinaryCrossEntropyLoss } from './binary-cross-entropy.js';
import { CrossEntropyLoss } from './cross-entropy.js';
import { DiceLoss, TverskyLoss } from './dice.js';
import { WeightedSumLoss } from './weighted-sum.js';

const reduction = z.enum(['mean', 'sum', 'none']).default('mean');
const weight = z.number().finite().nonnegative();
const common = { fromLogits: z.boolean().default(false), validate: z.boolean().default(true) };

const crossEntropy = z.strictObject({
  ...common,
  labelSmoothing: z.number().min(0).max(1).default(0),
  classWeights: z.union([z.array(weight).min(1), z.literal('balanced')]).optional(),
  classCounts: z.array(weight).optional(),
  ignoreIndex: z.number().int().optional(),
  reduction,
});
const bce = z.strictObject({ ...common, posWeight: z.union([weight, z.array(weight).min(1)]).optional(), weights: z.array(weight).min(1).optional(), reduction });
const overlap = { ...common, smooth: weight.default(1), perImage: z.boolean().default(false), includeBackground: z.boolean().default(true), reduction };
const dice = z.strictObject(overlap);
const tversky = z.strictObject({ ...overlap, alpha: weight.default(0.5), beta: weight.default(0.5) });
const bceDice = z.strictObject({
  ...common, bceWeight: z.number().finite().default(1), diceWeight: z.number().finite().default(1),
  smooth: weight.default(1), posWeight: z.union([weight, z.array(weight).min(1)]).optional(),
});

/**
 * The loss factories this package registers, by name: 'cross-entropy', 'bce', 'dice', 'tversky', 'bce-dice'.
 * @example const loss = lossFactories['bce-dice'].create(lossFactories['bce-dice'].schema.parse({ fromLogits: true }));
 */
export const lossFactories = {
  'cross-entropy': { schema: crossEntropy, create: (o) => new CrossEntropyLoss(o) } satisfies LossFactory<z.output<typeof crossEntropy>>,
  bce: { schema: bce, create: (o) => new BinaryCrossEntropyLoss(o) } satisfies LossFactory<z.output<typeof bce>>,
  dice: { schema: dice, create: (o) => new DiceLoss(o) } satisfies LossFactory<z.output<typeof dice>>,
  tversky: { schema: tversky, create: (o) => new TverskyLoss(o) } satisfies LossFactory<z.output<typeof tversky>>,
  'bce-dice': {
    schema: bceDice,
    create: (o) => new WeightedSumLoss([
      { loss: new BinaryCrossEntropyLoss({ fromLogits: o.fromLogits, posWeight: o.posWeight, validate: o.validate }), weight: o.bceWeight },
      { loss: new DiceLoss({ fromLogits: o.fromLogits, smooth: o.smooth, validate: false }), weight: o.diceWeight },
    ], 'bce-dice'),
  } satisfies LossFactory<z.output<typeof bceDice>>,
} as const;

/**
 * Plugin 'losses': registers every entry of `lossFactories` in the `losses` registry.
 * @example host.use(lossesPlugin); await host.setup(); host.registries.losses.get('cross-entropy');
 */
export const lossesPlugin = definePlugin({
  name: 'losses',
  version: '0.1.0',
  setup(ctx) {
    for (const [name, factory] of Object.entries(lossFactories)) ctx.losses.register(name, factory);
  },
});
