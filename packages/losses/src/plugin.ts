import { type Loss, type LossFactory, definePlugin } from '@kiln/core-trainer';
import { z } from 'zod';
import { BinaryCrossEntropyLoss } from './binary-cross-entropy.js';
import { CrossEntropyLoss } from './cross-entropy.js';
import { DiceLoss, TverskyLoss } from './dice.js';
import { LossErrorCodes, lossError } from './errors.js';
import { FocalLoss } from './focal.js';
import { WeightedSumLoss } from './weighted-sum.js';

const reduction = z.enum(['mean', 'sum', 'none']).default('mean');
const weight = z.number().finite().nonnegative();
// Input checks read a few scalars back (a device sync): in training, the first call and every 50th.
const common = { fromLogits: z.boolean().default(false), validate: z.union([z.boolean(), z.number().int().min(1)]).default(50) };

const crossEntropy = z.strictObject({
  ...common,
  labelSmoothing: z.number().min(0).max(1).default(0),
  classWeights: z.union([z.array(weight).min(1), z.literal('balanced')]).optional(),
  classCounts: z.array(weight).optional(),
  unknownClass: z.strictObject({ index: z.number().int().min(0), weight }).optional(),
  ignoreIndex: z.number().int().optional(),
  reduction,
});
const focal = z.strictObject({
  ...common, gamma: weight.default(2), alpha: z.union([z.number().min(0).max(1), z.array(weight).min(1), z.null()]).optional(),
  multiLabel: z.boolean().default(false), reduction,
});
const bce = z.strictObject({ ...common, posWeight: z.union([weight, z.array(weight).min(1)]).optional(), weights: z.array(weight).min(1).optional(), reduction });
const overlap = { ...common, smooth: weight.default(1), perImage: z.boolean().default(false), includeBackground: z.boolean().default(true), reduction };
const dice = z.strictObject(overlap);
const tversky = z.strictObject({ ...overlap, alpha: weight.default(0.5), beta: weight.default(0.5) });
const bceDice = z.strictObject({
  ...common, bceWeight: z.number().finite().default(1), diceWeight: z.number().finite().default(1),
  smooth: weight.default(1), posWeight: z.union([weight, z.array(weight).min(1)]).optional(),
});

const partNames = ['cross-entropy', 'bce', 'focal', 'dice', 'tversky'] as const;
const weightedSum = z.strictObject({
  losses: z.array(z.strictObject({ name: z.enum(partNames), weight: z.number().finite().default(1), options: z.record(z.string(), z.unknown()).default({}) })).min(1),
});

function createPart(name: (typeof partNames)[number], options: Record<string, unknown>): Loss {
  const f = lossFactories[name] as LossFactory<unknown>;
  const parsed = f.schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    lossError(LossErrorCodes.INVALID_OPTION, `Loss 'weighted-sum': options of part '${name}' are invalid at '${issue.path.join('.')}': ${issue.message}.`,
      { argument: `losses[].options.${issue.path.join('.')}`, part: name });
  }
  return f.create(parsed.data);
}

/**
 * The loss factories this package registers, by name: 'cross-entropy', 'bce', 'focal', 'dice', 'tversky', 'bce-dice',
 * 'weighted-sum' (`{ losses: [{ name, weight, options }] }` over the others).
 * @example const loss = lossFactories['bce-dice'].create(lossFactories['bce-dice'].schema.parse({ fromLogits: true }));
 */
export const lossFactories = {
  'cross-entropy': { schema: crossEntropy, create: (o) => new CrossEntropyLoss(o) } satisfies LossFactory<z.output<typeof crossEntropy>>,
  bce: { schema: bce, create: (o) => new BinaryCrossEntropyLoss(o) } satisfies LossFactory<z.output<typeof bce>>,
  dice: { schema: dice, create: (o) => new DiceLoss(o) } satisfies LossFactory<z.output<typeof dice>>,
  focal: { schema: focal, create: (o) => new FocalLoss(o) } satisfies LossFactory<z.output<typeof focal>>,
  tversky: { schema: tversky, create: (o) => new TverskyLoss(o) } satisfies LossFactory<z.output<typeof tversky>>,
  'bce-dice': {
    schema: bceDice,
    create: (o) => new WeightedSumLoss([
      { loss: new BinaryCrossEntropyLoss({ fromLogits: o.fromLogits, posWeight: o.posWeight, validate: o.validate }), weight: o.bceWeight },
      { loss: new DiceLoss({ fromLogits: o.fromLogits, smooth: o.smooth, validate: false }), weight: o.diceWeight },
    ], 'bce-dice'),
  } satisfies LossFactory<z.output<typeof bceDice>>,
  'weighted-sum': {
    schema: weightedSum,
    create: (o) => new WeightedSumLoss(o.losses.map((p) => ({ loss: createPart(p.name, p.options), weight: p.weight }))),
  } satisfies LossFactory<z.output<typeof weightedSum>>,
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
