import { z } from 'zod';

/**
 * Options of the 'mlflow' logger. Each falls back to its `MLFLOW_*` environment variable, then to
 * a default. Credentials are never options: they come from MLFLOW_TRACKING_USERNAME/PASSWORD or
 * MLFLOW_TRACKING_TOKEN at delivery time.
 * @example mlflowOptionsSchema.parse({ experimentName: 'demo', tags: { team: 'vision' } })
 */
export const mlflowOptionsSchema = z.strictObject({
  trackingUri: z.url().optional().describe('tracking server (MLFLOW_TRACKING_URI, default http://127.0.0.1:5000)'),
  experimentName: z.string().min(1).optional().describe('experiment, created if missing (MLFLOW_EXPERIMENT_NAME, default "Default")'),
  experimentId: z.string().min(1).optional().describe('experiment id, instead of a name (MLFLOW_EXPERIMENT_ID)'),
  runName: z.string().min(1).optional().describe('run name (default: the Kiln run name)'),
  runId: z.string().min(1).optional().describe('log into this existing run (MLFLOW_RUN_ID)'),
  tags: z.record(z.string(), z.string()).optional().describe('extra run tags'),
  notes: z.string().optional().describe('run description (tag mlflow.note.content)'),
  sourceName: z.string().optional().describe('tag mlflow.source.name (default: the entry script)'),
  maxParamLength: z.number().int().min(1).max(6000).default(500).describe('longer param values are cut (older servers refuse > 500)'),
  timeoutMs: z.number().int().positive().optional().describe('per-request idle timeout (MLFLOW_HTTP_REQUEST_TIMEOUT in seconds, default 120 s)'),
  finishTimeoutMs: z.number().int().nonnegative().default(30_000).describe('how long finish() waits to deliver what remains'),
  syncTimeoutMs: z.number().int().nonnegative().default(600_000).describe('how long `kiln sync` keeps trying'),
  retry: z.strictObject({
    baseMs: z.number().int().positive().default(1_000),
    maxMs: z.number().int().positive().default(60_000),
    maxBatch: z.number().int().positive().default(500),
  }).prefault({}).describe('delivery backoff (doubling, full jitter, Retry-After honoured) and batch size'),
});

/** Parsed options of the 'mlflow' logger. */
export type MlflowOptions = z.output<typeof mlflowOptionsSchema>;
