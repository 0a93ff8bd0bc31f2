import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { KilnError, type Logger, type LoggerContext, type LoggerFactory } from '@kiln/core-trainer';
import { Deliverer, Outbox, replayOutbox } from '@kiln/loggers';
import { WandbErrorCodes } from './errors.js';
import { WandbClient } from './internal/client.js';
import { WandbLogger } from './internal/logger.js';
import type { ConsolePayload, HistoryPayload } from './internal/payloads.js';
import { type RunPayload, WandbSender } from './internal/sender.js';
import { type WandbSettings, generateRunId, resolveSettings } from './internal/settings.js';
import { type WandbRunState, readState, writeStateSync } from './internal/state.js';
import { type WandbOptions, wandbOptionsSchema } from './options.js';

const say = (message: string): void => void process.stderr.write(`[kiln] ${message}\n`);

/**
 * The W&B outbox folder of a run: `<runDir>/outbox/wandb` (segments, cursor.json, state.json, blobs/).
 * @example wandbOutboxDir('runs/a') // 'runs/a/outbox/wandb'
 */
export const wandbOutboxDir = (runDir: string): string => join(runDir, 'outbox', 'wandb');

function requireKey(settings: WandbSettings): string {
  if (settings.apiKey) return settings.apiKey;
  throw new KilnError(WandbErrorCodes.NO_API_KEY, 'W&B logging is online but WANDB_API_KEY is not set. Export WANDB_API_KEY, or set WANDB_MODE=offline and upload later with `kiln sync <run dir>`.');
}

function online(settings: WandbSettings, options: WandbOptions, outbox: Outbox, state: WandbRunState) {
  const client = new WandbClient({ baseUrl: settings.baseUrl, apiKey: requireKey(settings), timeoutMs: settings.timeoutMs, username: settings.username, email: settings.email });
  const sender = new WandbSender(client, state, outbox.dir, (seqs) => outbox.ack(seqs), say);
  const deliverer = new Deliverer(outbox, (records, signal) => sender.send(records, signal), {
    ...options.retry, timeoutMs: Math.max(300_000, settings.timeoutMs * 4),
  });
  return { client, sender, deliverer, close: () => client.close() };
}

/** Next free local history/console lines and the last step, from state.json and the records still pending. */
function recover(outbox: Outbox, state: WandbRunState): { line: number; console: number; lastStep: number | null } {
  let line = state.delivered.historyLines;
  let console = state.delivered.consoleLines;
  let lastStep = state.delivered.lastStep;
  if (outbox.status().pending > 0) {
    for (const r of outbox.pending(Number.MAX_SAFE_INTEGER)) {
      if (r.kind === 'history') {
        const p = r.payload as HistoryPayload;
        line = Math.max(line, p.line + 1);
        lastStep = Math.max(lastStep ?? -Infinity, p.step);
      } else if (r.kind === 'console') console = Math.max(console, (r.payload as ConsolePayload).line + 1);
    }
  }
  return { line, console, lastStep };
}

/** A logger that does nothing (WANDB_MODE=disabled). */
const disabled: Logger = { name: 'wandb', logParams() {}, logMetrics() {}, finish() {} };

/**
 * Opens the 'wandb' logger for a run: the outbox in `<runDir>/outbox/wandb`, the run's identity in
 * its state.json (a resumed run keeps its W&B run id and continues its history), and, when online,
 * background delivery. Fails early with KILN_WANDB_NO_API_KEY / KILN_WANDB_MODE_INVALID.
 * @example const logger = await createWandbLogger({ project: 'demo' }, { runDir, runName: 'a', resumed: false, env: process.env });
 */
export async function createWandbLogger(options: Partial<WandbOptions>, context: LoggerContext): Promise<Logger> {
  const o = wandbOptionsSchema.parse(options);
  const settings = resolveSettings(o, context.env, context.runName);
  if (settings.mode === 'disabled') return disabled;
  if (settings.mode === 'online') requireKey(settings);
  const outbox = await Outbox.open(wandbOutboxDir(context.runDir));
  try {
    const state: WandbRunState = readState(outbox.dir) ?? {
      version: 1, runId: settings.runId ?? generateRunId(), project: settings.project, entity: settings.entity ?? null,
      startTime: Date.now() / 1000, lineBase: settings.runId ? null : 0,
      delivered: { historyLines: 0, consoleLines: 0, lastStep: null }, summary: {}, uploaded: [],
    };
    const next = recover(outbox, state);
    writeStateSync(outbox.dir, state);
    const run: RunPayload = {
      displayName: settings.displayName, host: hostname(), program: basename(process.argv[1] ?? 'kiln'),
      ...(settings.notes !== undefined ? { notes: settings.notes } : {}), ...(settings.group ? { group: settings.group } : {}),
      ...(settings.tags.length ? { tags: settings.tags } : {}), ...(settings.jobType ? { jobType: settings.jobType } : {}),
    };
    outbox.append('run', `run:${Date.now()}`, run);
    const net = settings.mode === 'online' ? online(settings, o, outbox, state) : undefined;
    net?.deliverer.start();
    return new WandbLogger({
      outbox, state, runDir: context.runDir, nextLine: next.line, nextConsole: next.console,
      resumeFloor: context.resumed ? next.lastStep : null, finishTimeoutMs: o.finishTimeoutMs, secrets: settings.apiKey ? [settings.apiKey] : [], say, silent: settings.silent,
      ...(net ? { online: { deliverer: net.deliverer, sender: net.sender, close: net.close, heartbeatMs: o.heartbeatMs } } : {}),
    });
  } catch (e) {
    await outbox.close();
    throw e;
  }
}

/**
 * Delivers what a run's W&B outbox still holds (`kiln sync <run dir>`), whatever WANDB_MODE says
 * unless it is `disabled`; re-sent lines keep their offsets, so nothing is stored twice.
 * @example const { delivered, remaining } = await replayWandb({}, { runDir, runName: 'a', resumed: false, env: process.env });
 */
export async function replayWandb(options: Partial<WandbOptions>, context: LoggerContext): Promise<{ delivered: number; remaining: number }> {
  const o = wandbOptionsSchema.parse(options);
  const settings = resolveSettings(o, context.env, context.runName);
  const dir = wandbOutboxDir(context.runDir);
  return replayOutbox(dir, {
    label: 'W&B', say, timeoutMs: o.syncTimeoutMs,
    connect(outbox) {
      if (settings.mode === 'disabled') return undefined;
      const state = readState(dir);
      if (!state) throw new KilnError(WandbErrorCodes.STATE_INVALID, `${dir} holds ${outbox.status().pending} W&B event(s) but no state.json naming their run; restore that file to sync them.`);
      return online({ ...settings, mode: 'online' }, o, outbox, state);
    },
  });
}

/**
 * The 'wandb' logger factory: options schema, `create` and `replay` (for `kiln sync`).
 * @example ctx.loggers.register('wandb', wandbLoggerFactory);
 */
export const wandbLoggerFactory: LoggerFactory<WandbOptions> = {
  schema: wandbOptionsSchema,
  create: (options, context) => createWandbLogger(options, context),
  replay: (options, context) => replayWandb(options, context),
};
