import { z } from 'zod';

/**
 * Options of the 'wandb' logger. Every one falls back to its `WANDB_*` environment variable, then
 * to a default. The API key is never an option: it comes from WANDB_API_KEY at delivery time.
 * @example wandbOptionsSchema.parse({ project: 'demo', tags: ['baseline'] })
 */
export const wandbOptionsSchema = z.strictObject({
  project: z.string().min(1).optional().describe('W&B project (WANDB_PROJECT, default "kiln")'),
  entity: z.string().min(1).optional().describe("W&B entity (WANDB_ENTITY, default: the API key's user)"),
  name: z.string().min(1).optional().describe('display name (WANDB_NAME, default: the Kiln run name)'),
  group: z.string().min(1).optional().describe('run group (WANDB_RUN_GROUP)'),
  notes: z.string().optional().describe('run notes (WANDB_NOTES)'),
  tags: z.array(z.string().min(1)).optional().describe('run tags (WANDB_TAGS, comma-separated)'),
  jobType: z.string().min(1).optional().describe('job type (WANDB_JOB_TYPE)'),
  runId: z.string().regex(/^[\w-]+$/).optional().describe('W&B run id to use or resume (WANDB_RUN_ID, default: 8 random chars)'),
  baseUrl: z.url().optional().describe('API server (WANDB_BASE_URL, default https://api.wandb.ai)'),
  mode: z.enum(['online', 'offline', 'dryrun', 'disabled']).optional().describe('WANDB_MODE: online, offline (deliver later with `kiln sync`) or disabled'),
  timeoutMs: z.number().int().positive().optional().describe('per-request idle timeout (WANDB_HTTP_TIMEOUT in seconds, default 20 s)'),
  finishTimeoutMs: z.number().int().nonnegative().default(30_000).describe('how long finish() waits to deliver what remains'),
  syncTimeoutMs: z.number().int().nonnegative().default(600_000).describe('how long `kiln sync` keeps trying'),
  heartbeatMs: z.number().int().nonnegative().default(30_000).describe('file_stream heartbeat when idle (0 = none)'),
  retry: z.strictObject({
    baseMs: z.number().int().positive().default(2_000),
    maxMs: z.number().int().positive().default(60_000),
    maxBatch: z.number().int().positive().default(500),
  }).prefault({}).describe('delivery backoff (W&B: 2 s doubling to 60 s, with jitter) and batch size'),
});

/** Parsed options of the 'wandb' logger. */
export type WandbOptions = z.output<typeof wandbOptionsSchema>;
