import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import { KilnError, type Logger, type LoggerContext, type LoggerFactory } from '@kiln/core-trainer';
import { Deliverer, Outbox, type RemoteDelivery, replayOutbox } from '@kiln/loggers';
import { MlflowErrorCodes } from './errors.js';
import { mlflowKey } from './internal/batch.js';
import { type KeyValue, MlflowClient } from './internal/client.js';
import { gitInfo } from './internal/git.js';
import { MlflowLogger } from './internal/logger.js';
import { MlflowSender } from './internal/sender.js';
import { type MlflowSettings, resolveSettings } from './internal/settings.js';
import { type MlflowRunState, readState, writeStateSync } from './internal/state.js';
import type { MetricsPayload } from './internal/types.js';
import { type MlflowOptions, mlflowOptionsSchema } from './options.js';

const say = (message: string): void => void process.stderr.write(`[kiln] ${message}\n`);

/**
 * The MLflow outbox folder of a run: `<runDir>/outbox/mlflow` (segments, cursor.json, state.json, blobs/).
 * @example mlflowOutboxDir('runs/a') // 'runs/a/outbox/mlflow'
 */
export const mlflowOutboxDir = (runDir: string): string => join(runDir, 'outbox', 'mlflow');

function delivery(settings: MlflowSettings, options: MlflowOptions, outbox: Outbox, state: MlflowRunState): RemoteDelivery {
  const client = new MlflowClient(settings.endpoint);
  const sender = new MlflowSender(client, state, settings, outbox.dir, (seqs) => outbox.ack(seqs), say);
  const deliverer = new Deliverer(outbox, (records, signal) => sender.send(records, signal), {
    ...options.retry, timeoutMs: Math.max(300_000, settings.endpoint.timeoutMs * 4),
  });
  return { deliverer, close: () => client.close() };
}

/** System tags of a new run (mlflow_tags.py), our idempotency tag, and the user's tags. */
function runTags(o: MlflowOptions, settings: MlflowSettings, runName: string, runKey: string): KeyValue[] {
  const tags: Record<string, string> = {
    'mlflow.runName': runName,
    'mlflow.user': settings.user,
    'mlflow.source.name': o.sourceName ?? basename(process.argv[1] ?? 'kiln'),
    'mlflow.source.type': 'LOCAL',
    'kiln.runKey': runKey,
  };
  const git = gitInfo(process.cwd());
  if (git) {
    tags['mlflow.source.git.commit'] = git.commit;
    if (git.branch) tags['mlflow.source.git.branch'] = git.branch;
  }
  if (o.notes) tags['mlflow.note.content'] = o.notes;
  for (const [k, v] of Object.entries(o.tags ?? {})) tags[mlflowKey(k)] = v.slice(0, 5000);
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** The last step logged before (delivered, or still pending), for a resumed run. */
function lastStep(outbox: Outbox, state: MlflowRunState): number | null {
  let last = state.delivered.lastStep;
  if (outbox.status().pending > 0) {
    for (const r of outbox.pending(Number.MAX_SAFE_INTEGER)) if (r.kind === 'metrics') last = Math.max(last ?? -Infinity, (r.payload as MetricsPayload).step);
  }
  return last;
}

/**
 * Opens the 'mlflow' logger for a run: the outbox in `<runDir>/outbox/mlflow`, the run's identity
 * in its state.json (a resumed run logs into the same MLflow run), and background delivery.
 * @example const logger = await createMlflowLogger({ experimentName: 'demo' }, { runDir, runName: 'a', resumed: false, env: process.env });
 */
export async function createMlflowLogger(options: Partial<MlflowOptions>, context: LoggerContext): Promise<Logger> {
  const o = mlflowOptionsSchema.parse(options);
  const settings = resolveSettings(o, context.env);
  const outbox = await Outbox.open(mlflowOutboxDir(context.runDir));
  try {
    const runName = o.runName ?? context.runName;
    const runKey = randomUUID();
    const state: MlflowRunState = readState(outbox.dir) ?? {
      version: 1, runKey, runName, startTime: Date.now(), experimentName: settings.experimentName, experimentId: settings.experimentId ?? null,
      runId: settings.runId ?? null, artifactUri: null, tags: runTags(o, settings, runName, runKey), delivered: { lastStep: null },
    };
    const floor = context.resumed ? lastStep(outbox, state) : null;
    writeStateSync(outbox.dir, state);
    outbox.append('run', `run:${randomUUID()}`, { resumed: context.resumed });
    const net = delivery(settings, o, outbox, state);
    net.deliverer.start();
    return new MlflowLogger({
      outbox, runDir: context.runDir, resumeFloor: floor, delivery: net,
      finishTimeoutMs: o.finishTimeoutMs, maxParamLength: o.maxParamLength, secrets: settings.secrets, say,
    });
  } catch (e) {
    await outbox.close();
    throw e;
  }
}

/**
 * Delivers what a run's MLflow outbox still holds (`kiln sync <run dir>`); re-sent metrics are
 * identical (same timestamp and step), so MLflow keeps each once.
 * @example const { delivered, remaining } = await replayMlflow({}, { runDir, runName: 'a', resumed: false, env: process.env });
 */
export async function replayMlflow(options: Partial<MlflowOptions>, context: LoggerContext): Promise<{ delivered: number; remaining: number }> {
  const o = mlflowOptionsSchema.parse(options);
  const settings = resolveSettings(o, context.env);
  const dir = mlflowOutboxDir(context.runDir);
  return replayOutbox(dir, {
    label: 'MLflow', say, timeoutMs: o.syncTimeoutMs,
    connect(outbox) {
      const state = readState(dir);
      if (!state) throw new KilnError(MlflowErrorCodes.STATE_INVALID, `${dir} holds ${outbox.status().pending} MLflow event(s) but no state.json describing their run; restore that file to sync them.`);
      return delivery(settings, o, outbox, state);
    },
  });
}

/**
 * The 'mlflow' logger factory: options schema, `create` and `replay` (for `kiln sync`).
 * @example ctx.loggers.register('mlflow', mlflowLoggerFactory);
 */
export const mlflowLoggerFactory: LoggerFactory<MlflowOptions> = {
  schema: mlflowOptionsSchema,
  create: (options, context) => createMlflowLogger(options, context),
  replay: (options, context) => replayMlflow(options, context),
};
