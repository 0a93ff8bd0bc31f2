import { definePlugin } from '@kiln/core-trainer';
import { mlflowLoggerFactory } from './factory.js';

/**
 * The MLflow logger as a plugin: registers the logger 'mlflow'.
 * @example // kiln.yaml: plugins: ['@kiln/plugin-logger-mlflow'], loggers: [{ name: mlflow, experimentName: demo }]
 */
export const mlflowPlugin = definePlugin({
  name: 'logger-mlflow',
  version: '0.1.0',
  setup(ctx) {
    ctx.loggers.register('mlflow', mlflowLoggerFactory);
  },
});
