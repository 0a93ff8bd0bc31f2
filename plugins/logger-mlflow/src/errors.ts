import type { KilnErrorCode } from '@kiln/core-trainer';

/**
 * Error codes owned by @kiln/plugin-logger-mlflow.
 * @example if (isKilnError(e, MlflowErrorCodes.URI_INVALID)) console.error('set MLFLOW_TRACKING_URI')
 */
export const MlflowErrorCodes = {
  URI_INVALID: 'KILN_MLFLOW_URI_INVALID', // MLFLOW_TRACKING_URI (or `trackingUri`) is not an http(s) URL of a tracking server: point it at `mlflow server`, e.g. http://127.0.0.1:5000
  STATE_INVALID: 'KILN_MLFLOW_STATE_INVALID', // runs/<name>/outbox/mlflow/state.json is missing or unreadable while events wait to be synced: restore that file from a backup
} as const satisfies Record<string, KilnErrorCode>;
