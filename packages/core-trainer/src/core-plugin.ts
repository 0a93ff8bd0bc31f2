import { z } from 'zod';
import type { OptimizerFactory } from './contracts/factories.js';
import { Adam } from './optim/adam.js';
import { definePlugin } from './plugin/plugin.js';

const adamOptions = z.object({
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  eps: z.number().positive().default(1e-8),
}).strict();

const adam = (decoupled: boolean): OptimizerFactory<z.output<typeof adamOptions>> => ({
  schema: adamOptions,
  description: decoupled ? 'AdamW (decoupled weight decay), PyTorch semantics' : 'Adam (L2 weight decay added to the gradient), PyTorch semantics',
  create: (o, groups) => new Adam(groups, { ...o, decoupled }),
});

/**
 * The built-in plugin of @kiln/core-trainer: registers the optimizers.
 * @example host.use(coreTrainerPlugin)
 */
export const coreTrainerPlugin = definePlugin({
  name: 'core-trainer',
  setup(ctx) {
    ctx.optimizers.register('adam', adam(false));
    ctx.optimizers.register('adamw', adam(true));
  },
});
