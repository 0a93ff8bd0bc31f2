// Public surface of @kiln/plugin-logger-tensorboard: an explicit list of named exports.
export { loggerTensorBoardPlugin, loggerTensorBoardPlugin as default, tensorBoardLoggerFactory, tensorBoardLoggerOptions } from './plugin.js';
export { TensorBoardLogger, type TensorBoardLoggerOptions } from './tensorboard-logger.js';
export { EventFileWriter } from './event-writer.js';
export { TensorBoardErrorCodes } from './errors.js';
export { readEventFile, type TfRecordEvent } from './reader.js';
