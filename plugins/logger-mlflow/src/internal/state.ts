import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KilnError } from '@kiln/core-trainer';
import { writeJsonAtomic, writeJsonAtomicSync } from '@kiln/loggers';
import { MlflowErrorCodes } from '../errors.js';
import type { KeyValue } from './client.js';

/**
 * What a run's MLflow outbox folder remembers besides the events (`<outbox>/state.json`): how to
 * create the run (its `kiln.runKey` tag makes creation idempotent) and, once created, its ids.
 * No credentials. Written before the outbox acknowledges records.
 */
export interface MlflowRunState {
  version: 1;
  runKey: string;
  runName: string;
  /** ms since the epoch. */
  startTime: number;
  experimentName: string;
  experimentId: string | null;
  runId: string | null;
  artifactUri: string | null;
  tags: KeyValue[];
  delivered: { lastStep: number | null };
}

export const stateFile = (outboxDir: string): string => join(outboxDir, 'state.json');

export function readState(outboxDir: string): MlflowRunState | undefined {
  const path = stateFile(outboxDir);
  if (!existsSync(path)) return undefined;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as MlflowRunState;
    if (s.version !== 1 || typeof s.runKey !== 'string' || !Array.isArray(s.tags) || !s.delivered) throw new Error('unexpected content');
    return s;
  } catch (e) {
    throw new KilnError(MlflowErrorCodes.STATE_INVALID, `MLflow run state ${path} is unreadable (${(e as Error).message}). Restore it or delete the MLflow outbox of this run.`, { cause: e });
  }
}

/** Atomic write (temporary file, then rename), used at open. */
export function writeStateSync(outboxDir: string, state: MlflowRunState): void {
  writeJsonAtomicSync(stateFile(outboxDir), state);
}

/** Durable write (fsync, then rename) off the event loop. */
export function writeState(outboxDir: string, state: MlflowRunState): Promise<void> {
  return writeJsonAtomic(stateFile(outboxDir), state);
}
