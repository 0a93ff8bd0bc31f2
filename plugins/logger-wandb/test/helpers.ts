import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerContext } from '@kiln/core-trainer';

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

/** Files under `dir` whose bytes contain `needle` (also base64 of it). */
export function filesContaining(dir: string, needle: string): string[] {
  const forms = [needle, Buffer.from(needle).toString('base64'), Buffer.from(`api:${needle}`).toString('base64')];
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const text = readFileSync(p).toString('latin1');
        if (forms.some((f) => text.includes(f))) hits.push(p);
      }
    }
  };
  walk(dir);
  return hits;
}

/** Captures what is written to stderr and stdout while `fn` runs. */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const orig = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const hook = (orig: (c: never, ...r: never[]) => boolean) => (c: string | Uint8Array, ...rest: unknown[]): boolean => {
    chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
    return orig(c as never, ...(rest as never[]));
  };
  process.stdout.write = hook(orig.out) as typeof process.stdout.write;
  process.stderr.write = hook(orig.err) as typeof process.stderr.write;
  try {
    const result = await fn();
    return { result, output: chunks.join('') };
  } finally {
    process.stdout.write = orig.out;
    process.stderr.write = orig.err;
  }
}

/** Global steps of a W&B run's history, in line order. */
export const steps = (history: Record<string, unknown>[]): number[] => history.map((r) => r.global_step as number);
export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
