import { isAbsolute, resolve } from 'node:path';
import { type LoggerFactory, definePlugin } from '@kiln/core-trainer';
import { z } from 'zod';
import { TensorBoardLogger } from './tensorboard-logger.js';

/** Options of the 'tensorboard' logger. */
export const tensorBoardLoggerOptions = z.strictObject({
  dir: z.string().min(1).default('tensorboard').describe('event-file folder, relative to the run directory'),
  hparams: z.boolean().default(true).describe('write params and the run status for the HParams dashboard'),
});

/**
 * 'tensorboard': event files in runs/<name>/tensorboard/.
 * @example const tb = await tensorBoardLoggerFactory.create(tensorBoardLoggerOptions.parse({}), ctx);
 */
export const tensorBoardLoggerFactory: LoggerFactory<z.output<typeof tensorBoardLoggerOptions>> = {
  schema: tensorBoardLoggerOptions,
  create: (o, ctx) => new TensorBoardLogger({ dir: isAbsolute(o.dir) ? o.dir : resolve(ctx.runDir, o.dir), hparams: o.hparams, resumed: ctx.resumed }),
};

/**
 * The TensorBoard logger as a plugin: registers logger 'tensorboard'.
 * @example plugins: ['@kiln/plugin-logger-tensorboard'] and loggers: [tensorboard] in run.yaml; then `tensorboard --logdir runs`
 */
export const loggerTensorBoardPlugin = definePlugin({
  name: 'logger-tensorboard',
  version: '0.1.0',
  setup(ctx) {
    ctx.loggers.register('tensorboard', tensorBoardLoggerFactory);
  },
});

export default loggerTensorBoardPlugin;
