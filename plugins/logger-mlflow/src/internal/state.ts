import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { KilnError } from '@kiln/core-trainer';
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

export function writeStateSync(outboxDir: string, state: MlflowRunState): void {
  const path = stateFile(outboxDir);
  writeFileSync(`${path}.tmp`, JSON.stringify(state));
  renameSync(`${path}.tmp`, path);
}

/** Durable write (fsync, then rename) off the event loop. */
export async function writeState(outboxDir: string, state: MlflowRunState): Promise<void> {
  const path = stateFile(outboxDir);
  const fh = await open(`${path}.tmp`, 'w');
  try {
    await fh.writeFile(JSON.stringify(state));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(`${path}.tmp`, path);
}
