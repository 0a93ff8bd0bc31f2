import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerContext } from '@kiln/core-trainer';

export { captureOutput, filesContaining } from '@kiln/loggers/testing';

/** A fresh secret (token or password). */
export const newSecret = (): string => `s3cr3t-${randomBytes(12).toString('hex')}`;

export function newRunDir(): string {
  return mkdtempSync(join(tmpdir(), 'kiln-mlflow-'));
}

export function context(runDir: string, env: Record<string, string | undefined>, resumed = false): LoggerContext {
  return { runDir, runName: 'demo-run', resumed, env };
}

/** Fast retries for tests. */
export const FAST = { retry: { baseMs: 10, maxMs: 100, maxBatch: 200 }, timeoutMs: 1000, finishTimeoutMs: 10_000 } as const;

/** Steps of one metric, in the order the server stored them. */
export const stepsOf = (metrics: { key: string; step: number }[], key: string): number[] => metrics.filter((m) => m.key === key).map((m) => m.step);
export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
