import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Files under `dir` (recursively, every file: outbox segments, state, checkpoints…) whose bytes
 * contain any of `needles`, raw or base64-encoded. For tests that prove a secret is written
 * nowhere: pass the key, and e.g. `api:<key>` to also catch a stored Basic auth header.
 * @example expect(filesContaining(runDir, [key, `api:${key}`])).toEqual([]);
 */
export function filesContaining(dir: string, needles: string | readonly string[]): string[] {
  const forms = (typeof needles === 'string' ? [needles] : needles).flatMap((n) => [n, Buffer.from(n).toString('base64')]);
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

/**
 * Captures what is written to process.stdout and process.stderr while `fn` runs (it still reaches
 * the terminal), for tests that check messages, or that a secret is never printed.
 * @example const { output } = await captureOutput(() => logger.finish('finished')); expect(output).toContain('kiln sync');
 */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const orig = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const hook = (write: (c: never, ...r: never[]) => boolean) => (c: string | Uint8Array, ...rest: unknown[]): boolean => {
    chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
    return write(c as never, ...(rest as never[]));
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
