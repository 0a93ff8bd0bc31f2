import { definePlugin } from '@kiln/core-trainer';
import { wandbLoggerFactory } from './factory.js';

/**
 * The Weights & Biases logger as a plugin: registers the logger 'wandb'.
 * @example // kiln.yaml: plugins: ['@kiln/plugin-logger-wandb'], loggers: [{ name: wandb, project: demo }]
 */
export const wandbPlugin = definePlugin({
  name: 'logger-wandb',
  version: '0.1.0',
  setup(ctx) {
    ctx.loggers.register('wandb', wandbLoggerFactory);
  },
});
