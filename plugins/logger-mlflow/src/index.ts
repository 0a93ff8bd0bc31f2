// Public surface of @kiln/plugin-logger-mlflow: an explicit list of named exports.
export { mlflowPlugin, mlflowPlugin as default } from './plugin.js';
export { mlflowLoggerFactory, createMlflowLogger, replayMlflow, mlflowOutboxDir } from './factory.js';
export { mlflowOptionsSchema, type MlflowOptions } from './options.js';
export { MlflowErrorCodes } from './errors.js';
