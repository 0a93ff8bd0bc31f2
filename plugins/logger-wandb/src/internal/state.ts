import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KilnError } from '@kiln/core-trainer';
import { writeJsonAtomic, writeJsonAtomicSync } from '@kiln/loggers';
import { WandbErrorCodes } from '../errors.js';

/**
 * What a run's W&B outbox folder remembers besides the events (`<outbox>/state.json`): which run
 * the events belong to, and how far delivery got. No credentials. `delivered` is written before
 * the outbox acknowledges records, so a restarted process (resume or `kiln sync`) can recover
 * line numbers exactly from it and the records still pending.
 */
export interface WandbRunState {
  version: 1;
  runId: string;
  project: string;
  /** Known once configured or once the first UpsertBucket answered. */
  entity: string | null;
  /** Unix seconds of the run's start, the origin of `_runtime`. */
  startTime: number;
  /** Server history line of our local line 0 (0 for runs we created; historyLineCount for a foreign run we resumed). */
  lineBase: number | null;
  delivered: { historyLines: number; consoleLines: number; lastStep: number | null };
  summary: Record<string, unknown>;
  uploaded: string[];
}

export const stateFile = (outboxDir: string): string => join(outboxDir, 'state.json');

/** Reads the state, undefined when there is none; a damaged file fails with KILN_WANDB_STATE_INVALID. */
export function readState(outboxDir: string): WandbRunState | undefined {
  const path = stateFile(outboxDir);
  if (!existsSync(path)) return undefined;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as WandbRunState;
    if (s.version !== 1 || typeof s.runId !== 'string' || typeof s.project !== 'string' || !s.delivered) throw new Error('unexpected content');
    return s;
  } catch (e) {
    throw new KilnError(WandbErrorCodes.STATE_INVALID, `W&B run state ${path} is unreadable (${(e as Error).message}). Restore it or delete the W&B outbox of this run.`, { cause: e });
  }
}

/** Writes the state synchronously and atomically (used at open and finish). */
export function writeStateSync(outboxDir: string, state: WandbRunState): void {
  writeJsonAtomicSync(stateFile(outboxDir), state);
}

/** Writes the state durably (fsync, then rename) without blocking the event loop. */
export function writeState(outboxDir: string, state: WandbRunState): Promise<void> {
  return writeJsonAtomic(stateFile(outboxDir), state);
}
