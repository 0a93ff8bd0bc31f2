// Public surface of @kiln/plugin-logger-wandb: an explicit list of named exports.
export { wandbPlugin, wandbPlugin as default } from './plugin.js';
export { wandbLoggerFactory, createWandbLogger, replayWandb, wandbOutboxDir } from './factory.js';
export { wandbOptionsSchema, type WandbOptions } from './options.js';
export { WandbErrorCodes } from './errors.js';
