import type { OptimizerFactory } from './contracts/factories.js';
import { optimizerFactories } from './optim/factories.js';
import { definePlugin } from './plugin/plugin.js';

/**
 * The built-in plugin of @kiln/core-trainer: registers the optimizers ('adam', 'adamw', 'sgd', 'rmsprop').
 * @example host.use(coreTrainerPlugin)
 */
export const coreTrainerPlugin = definePlugin({
  name: 'core-trainer',
  setup(ctx) {
    for (const [name, factory] of Object.entries(optimizerFactories)) ctx.optimizers.register(name, factory as unknown as OptimizerFactory<never>);
  },
});
