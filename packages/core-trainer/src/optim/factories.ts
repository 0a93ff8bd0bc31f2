import { z } from 'zod';
import type { OptimizerFactory } from '../contracts/factories.js';
import type { ParamGroup } from '../contracts/optimizer.js';
import { Adam } from './adam.js';
import { Rmsprop, Sgd } from './sgd.js';

const nonNegative = z.number().finite().nonnegative();
const beta = z.number().min(0).lt(1);
const adamSchema = (defaultWeightDecay: number) => z.strictObject({
  beta1: beta.default(0.9),
  beta2: beta.default(0.999),
  eps: z.number().finite().positive().default(1e-8),
  /** Weight decay for groups that do not set their own. */
  weightDecay: nonNegative.default(defaultWeightDecay),
});

/** Groups with the option's weight decay filled in where a group does not set its own. */
export function withDefaultWeightDecay(groups: readonly ParamGroup[], weightDecay: number): ParamGroup[] {
  return groups.map((g) => ({ ...g, weightDecay: g.weightDecay ?? weightDecay }));
}

const sgd = z.strictObject({
  momentum: nonNegative.default(0),
  dampening: z.number().min(0).max(1).default(0),
  nesterov: z.boolean().default(false),
  weightDecay: nonNegative.default(0),
}).refine((o) => !o.nesterov || (o.momentum > 0 && o.dampening === 0), { message: 'nesterov needs momentum > 0 and dampening 0', path: ['nesterov'] });
const rmsprop = z.strictObject({
  alpha: z.number().min(0).lt(1).default(0.99),
  eps: z.number().finite().positive().default(1e-8),
  momentum: nonNegative.default(0),
  centered: z.boolean().default(false),
  weightDecay: nonNegative.default(0),
});
const adam = adamSchema(0);
const adamw = adamSchema(0.01);

/**
 * Optimizer factories by name ('adam', 'adamw', 'sgd', 'rmsprop'), for the `optimizers` registry. Defaults equal torch.optim's
 * (AdamW's weight decay 0.01); each group's own `lr` / `weightDecay` wins over the options.
 * @example const opt = optimizerFactories.adamw.create(optimizerFactories.adamw.schema.parse({}), [{ name: 'all', variables, lr: 1e-3 }]);
 */
export const optimizerFactories = {
  adam: {
    schema: adam,
    description: 'Adam (L2 weight decay added to the gradient), as torch.optim.Adam',
    create: (o, groups) => new Adam(withDefaultWeightDecay(groups, o.weightDecay), { ...o, decoupled: false }),
  } satisfies OptimizerFactory<z.output<typeof adam>>,
  adamw: {
    schema: adamw,
    description: 'AdamW (decoupled weight decay), as torch.optim.AdamW',
    create: (o, groups) => new Adam(withDefaultWeightDecay(groups, o.weightDecay), { ...o, decoupled: true }),
  } satisfies OptimizerFactory<z.output<typeof adamw>>,
  sgd: {
    schema: sgd,
    description: 'SGD with momentum, dampening, Nesterov and L2 weight decay, as torch.optim.SGD',
    create: ({ weightDecay, ...o }, groups) => new Sgd(withDefaultWeightDecay(groups, weightDecay), o),
  } satisfies OptimizerFactory<z.output<typeof sgd>>,
  rmsprop: {
    schema: rmsprop,
    description: 'RMSprop (optionally centred, with momentum), as torch.optim.RMSprop',
    create: ({ weightDecay, ...o }, groups) => new Rmsprop(withDefaultWeightDecay(groups, weightDecay), o),
  } satisfies OptimizerFactory<z.output<typeof rmsprop>>,
} as const;
