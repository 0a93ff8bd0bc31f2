// Public surface of @kiln/callbacks: an explicit list of named exports.
export { CallbackErrorCodes } from './errors.js';
export { History, type EpochRecord } from './history.js';
export { ProgressPrinter, type ProgressPrinterOptions, type TextSink } from './progress-printer.js';
export { callbacksPlugin, callbackFactories } from './plugin.js';
