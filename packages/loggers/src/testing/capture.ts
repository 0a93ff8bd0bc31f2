import { spawn } from 'node:child_process';
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
  const orig = { out: process.stdout.write, err: process.stderr.write };
  const hook = (stream: NodeJS.WriteStream, write: typeof stream.write) => function (this: unknown, c: string | Uint8Array, ...rest: unknown[]): boolean {
    chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
    return (write as (...a: unknown[]) => boolean).call(stream, c, ...rest);
  };
  process.stdout.write = hook(process.stdout, orig.out) as typeof process.stdout.write;
  process.stderr.write = hook(process.stderr, orig.err) as typeof process.stderr.write;
  try {
    const result = await fn();
    return { result, output: chunks.join('') };
  } finally {
    process.stdout.write = orig.out;
    process.stderr.write = orig.err;
  }
}

/**
 * Runs `node <script> ...args` with `env` and SIGKILLs it as soon as `until(output)` holds
 * (its stdout and stderr so far, checked every 10 ms), or lets it end by itself. Resolves when
 * its output is read to the end, with that output and the signal that ended it (null when it exited).
 * @example const { signal } = await killWhen(childScript, [runDir], env, (out) => /logged 50\n/.test(out)); // 'SIGKILL'
 */
export async function killWhen(script: string, args: readonly string[], env: NodeJS.ProcessEnv, until: (output: string) => boolean): Promise<{ output: string; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
  const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  while (!until(output) && child.exitCode === null && child.signalCode === null) await new Promise((r) => setTimeout(r, 10));
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const signal = await closed;
  return { output, signal };
}
