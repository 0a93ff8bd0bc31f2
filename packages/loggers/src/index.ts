// Public surface of @kiln/loggers: an explicit list of named exports.
export { LoggerErrorCodes } from './errors.js';
export { REDACTED, isSecretKey, redactSecrets, flattenParams } from './redact.js';
export { ConsoleLogger, type ConsoleLoggerOptions } from './console-logger.js';
export { JsonlLogger, readHistory, type JsonlLoggerOptions, type HistoryRow } from './jsonl-logger.js';
export { CsvLogger, type CsvLoggerOptions } from './csv-logger.js';
export { FanoutLogger, type FanoutLoggerOptions, type LoggerFailure } from './fanout-logger.js';
export {
  loggersPlugin, consoleLoggerFactory, jsonlLoggerFactory, csvLoggerFactory,
  consoleLoggerOptions, jsonlLoggerOptions, csvLoggerOptions,
} from './plugin.js';
export { loggersPlugin as default } from './plugin.js';
export { Outbox, type OutboxOptions, type OutboxStatus } from './outbox/outbox.js';
export { outboxDir } from './outbox/state.js';
export type { OutboxRecord } from './outbox/record.js';
export { Deliverer, type SendResult, type SendFn, type DelivererStatus } from './outbox/deliverer.js';
export { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './outbox/backoff.js';
export { encodePng } from './png.js';
// Building blocks of remote loggers (W&B, MLflow, your own).
export { HttpClient, RemoteError, safeUrl, parseRetryAfter, type HttpClientOptions, type HttpResult, type FailureKind } from './remote/http.js';
export { scrubSecrets } from './remote/scrub.js';
export { CallGuard } from './remote/call-guard.js';
export { finishDelivery, replayOutbox, sendInOrder, type RemoteDelivery, type DeliveryReport, type SendTarget } from './remote/delivery.js';
export { snapshotRunFiles, type RunFileSnapshot } from './remote/run-files.js';
export { writeJsonAtomic, writeJsonAtomicSync } from './json-file.js';
