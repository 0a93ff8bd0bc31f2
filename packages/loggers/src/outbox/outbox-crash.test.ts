import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnTs } from '../test-utils/run-ts.js';
import { Outbox } from './outbox.js';

const child = fileURLToPath(new URL('../test-utils/append-child.ts', import.meta.url));

/** Runs the appending child until it has reported `count` appends, then SIGKILLs it. Returns the reported steps. */
async function appendThenKill(dir: string, start: number, count: number): Promise<number[]> {
  const proc = spawnTs(child, [dir, String(start)]);
  const seen: number[] = [];
  let buf = '';
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) seen.push(Number(l));
      if (seen.length >= count && proc.exitCode === null && !proc.killed) proc.kill('SIGKILL');
    });
    proc.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
  return seen;
}

describe('Outbox under SIGKILL', () => {
  it('keeps every complete record exactly once across kills mid-append, and acks survive', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kiln-kill-')), 'outbox', 'remote');
    const first = await appendThenKill(dir, 0, 3000);
    let box = await Outbox.open(dir, { segmentBytes: 2048 });
    let recs = box.pending(1e9);
    let steps = recs.map((r) => (r.payload as { step: number }).step);
    // Every step the child reported is present; the steps form 0..n-1 with no gaps or duplicates.
    expect(steps.length).toBeGreaterThanOrEqual(first.length);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i));
    expect(recs.map((r) => r.seq)).toEqual(steps.map((s) => s + 1));
    expect(recs.every((r) => r.key === `metrics:${(r.payload as { step: number }).step}`)).toBe(true);
    const firstCount = steps.length;
    box.ack(recs.slice(0, 1000).map((r) => r.seq));
    await box.close();

    // A second run continues from the next step (like a resumed training) and is killed again.
    const second = await appendThenKill(dir, firstCount, 2000);
    box = await Outbox.open(dir, { segmentBytes: 2048 });
    recs = box.pending(1e9);
    steps = recs.map((r) => (r.payload as { step: number }).step);
    expect(recs[0]!.seq).toBe(1001); // acknowledged records are never handed out again
    expect(steps.length).toBeGreaterThanOrEqual(firstCount - 1000 + second.length);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1000));
    expect(new Set(recs.map((r) => r.seq)).size).toBe(recs.length);
    expect(box.status()).toMatchObject({ pending: recs.length, delivered: 1000, lost: 0 });
    await box.close();
  });
});
