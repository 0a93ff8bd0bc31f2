import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerContext } from '@kiln/core-trainer';
import { filesContaining as filesWith } from '@kiln/loggers/testing';

export { captureOutput } from '@kiln/loggers/testing';

/** A fresh 40-hex-char API key, like W&B's. */
export const newKey = (): string => randomBytes(20).toString('hex');

export function newRunDir(): string {
  return mkdtempSync(join(tmpdir(), 'kiln-wandb-'));
}

export function context(runDir: string, env: Record<string, string | undefined>, resumed = false): LoggerContext {
  return { runDir, runName: 'demo-run', resumed, env };
}

/** Fast retries for tests. */
export const FAST = { retry: { baseMs: 10, maxMs: 100, maxBatch: 200 }, timeoutMs: 1000, finishTimeoutMs: 10_000, heartbeatMs: 0 } as const;

/** Files under `dir` holding the key, raw, in base64, or as a Basic auth header (`api:<key>` in base64). */
export const filesContaining = (dir: string, key: string): string[] => filesWith(dir, [key, `api:${key}`]);

/** Global steps of a W&B run's history, in line order. */
export const steps = (history: Record<string, unknown>[]): number[] => history.map((r) => r.global_step as number);
export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
