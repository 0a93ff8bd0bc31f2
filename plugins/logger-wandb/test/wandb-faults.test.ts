import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createWandbLogger, replayWandb } from '../src/index.js';
import { FAST, captureOutput, context, filesContaining, newKey, newRunDir, range, steps } from './helpers.js';
import { freePort, killWhen } from '@kiln/loggers/testing';
import { type WandbServer, startWandbServer } from './wandb-server.js';

let server: WandbServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const env = (url: string, key: string, extra: Record<string, string> = {}): Record<string, string> => ({ WANDB_API_KEY: key, WANDB_BASE_URL: url, WANDB_PROJECT: 'faults', ...extra });
const onlyRun = (s: WandbServer) => {
  expect(s.runs.size).toBe(1);
  return [...s.runs.values()][0]!;
};

describe('wandb delivery under faults: every metric arrives exactly once', () => {
  it('server down for the whole run: logging never blocks or throws, replay delivers afterwards', async () => {
    const port = await freePort();
    const key = newKey();
    const runDir = newRunDir();
    const url = `http://127.0.0.1:${port}`;
    const { output } = await captureOutput(async () => {
      const logger = await createWandbLogger({ ...FAST, finishTimeoutMs: 300 }, context(runDir, env(url, key)));
      logger.logParams({ lr: 0.1 });
      for (let s = 0; s < 50; s++) expect(logger.logMetrics(s, { loss: s })).toBeUndefined();
      await logger.finish('finished');
    });
    expect(output).toContain(`kiln sync ${runDir}`);
    server = await startWandbServer(key, port);
    const result = await replayWandb(FAST, context(runDir, env(url, key)));
    expect(result.remaining).toBe(0);
    const run = onlyRun(server);
    expect(steps(run.history)).toEqual(range(0, 50));
    expect(run).toMatchObject({ complete: true, exitcode: 0, config: { lr: { value: 0.1 } } });
    expect(filesContaining(runDir, key)).toEqual([]);
    expect(output).not.toContain(key);
  });

  it('500s and 429 with Retry-After are retried; the wait honours Retry-After', async () => {
    server = await startWandbServer(newKey());
    let calls = 0;
    const answered: number[] = [];
    server.fault = (r) => {
      if (!r.path.endsWith('/file_stream')) return undefined;
      calls++;
      answered.push(Date.now());
      if (calls <= 3) return { status: 500, body: 'oops' };
      if (calls === 4) return { status: 429, headers: { 'retry-after': '1' }, body: '{}' };
      return undefined;
    };
    const logger = await createWandbLogger(FAST, context(newRunDir(), env(server.url, server.apiKey)));
    for (let s = 0; s < 20; s++) logger.logMetrics(s, { loss: s });
    await logger.finish('finished');
    const statuses = server.log.filter((l) => l.path.endsWith('/file_stream')).map((l) => l.status);
    expect(statuses.slice(0, 5)).toEqual([500, 500, 500, 429, 200]);
    expect(answered[4]! - answered[3]!).toBeGreaterThanOrEqual(950); // Retry-After: 1 s, not the 10-100 ms backoff
    expect(steps(onlyRun(server).history)).toEqual(range(0, 20));
    expect(onlyRun(server).complete).toBe(true);
  });

  it('a server that hangs is timed out and retried', async () => {
    server = await startWandbServer(newKey());
    let hung = 0;
    server.fault = (r) => (r.path.endsWith('/file_stream') && hung++ < 2 ? 'hang' : undefined);
    const logger = await createWandbLogger({ ...FAST, timeoutMs: 300 }, context(newRunDir(), env(server.url, server.apiKey)));
    for (let s = 0; s < 10; s++) logger.logMetrics(s, { loss: s });
    await logger.finish('finished');
    expect(server.log.filter((l) => l.status === 'hang')).toHaveLength(2);
    expect(steps(onlyRun(server).history)).toEqual(range(0, 10));
  });

  it('lost responses (processed, then the connection drops) re-send the same offsets: no duplicates', async () => {
    server = await startWandbServer(newKey());
    let n = 0;
    server.fault = (r) => (r.path.endsWith('/file_stream') && n++ % 2 === 0 ? 'drop' : undefined);
    const logger = await createWandbLogger({ ...FAST, retry: { baseMs: 10, maxMs: 50, maxBatch: 7 } }, context(newRunDir(), env(server.url, server.apiKey)));
    for (let s = 0; s < 40; s++) logger.logMetrics(s, { loss: s });
    await logger.finish('finished');
    expect(server.log.filter((l) => l.status === 'dropped').length).toBeGreaterThan(2);
    expect(steps(onlyRun(server).history)).toEqual(range(0, 40));
  });

  it('a wrong API key stops delivery (nothing lost, key never printed); replay with the right key delivers', async () => {
    server = await startWandbServer(newKey());
    const runDir = newRunDir();
    const wrong = newKey();
    const { output } = await captureOutput(async () => {
      const logger = await createWandbLogger(FAST, context(runDir, env(server!.url, wrong)));
      for (let s = 0; s < 5; s++) logger.logMetrics(s, { loss: s });
      await logger.finish('finished');
    });
    expect(server.log.filter((l) => l.status === 401)).toHaveLength(1); // not retried
    expect(output).toContain('HTTP 401');
    expect(output).toContain('WANDB_API_KEY');
    expect(output).not.toContain(wrong);
    expect(filesContaining(runDir, wrong)).toEqual([]);
    expect((await replayWandb(FAST, context(runDir, env(server.url, server.apiKey)))).remaining).toBe(0);
    expect(steps(onlyRun(server).history)).toEqual(range(0, 5));
  });

  it('SIGKILL of a process mid-run, then replay, then a resumed run: each step once', async () => {
    server = await startWandbServer(newKey());
    const { runDir, last, output } = await killMidRun(server);
    await replayWandb(FAST, context(runDir, env(server.url, server.apiKey)));
    const afterReplay = steps(onlyRun(server).history);
    expect(afterReplay).toEqual(range(0, afterReplay.length));
    expect([last + 1, last + 2]).toContain(afterReplay.length); // the step being logged at the kill may have reached the disk
    // resume from an earlier "checkpoint": steps already logged are skipped, new ones follow
    const resumed = await createWandbLogger(FAST, context(runDir, env(server.url, server.apiKey), true));
    for (let s = last - 10; s < last + 6; s++) resumed.logMetrics(s, { loss: s });
    await resumed.finish('finished');
    expect(steps(onlyRun(server).history)).toEqual(range(0, last + 6));
    expect(onlyRun(server).history.map((r) => r._step)).toEqual(range(0, last + 6));
    expect(output).not.toContain(server.apiKey);
    expect(filesContaining(runDir, server.apiKey)).toEqual([]);
  });

  it('SIGKILL of a process mid-run, then resume directly: the backlog and the new steps arrive once', async () => {
    server = await startWandbServer(newKey());
    const { runDir, last } = await killMidRun(server);
    const resumed = await createWandbLogger(FAST, context(runDir, env(server.url, server.apiKey), true));
    for (let s = last - 10; s < last + 6; s++) resumed.logMetrics(s, { loss: s });
    await resumed.finish('finished');
    expect(steps(onlyRun(server).history)).toEqual(range(0, last + 6));
    expect(onlyRun(server).complete).toBe(true);
  });
});

/**
 * Runs test/fixtures/child.mjs (logs a row every 2 ms) against `server`, which refuses two
 * file_stream requests in three, and SIGKILLs it once the server holds ≥ 10 lines and ≥ 20 more
 * wait in the child's outbox. Returns the run dir and the last step the child logged.
 */
async function killMidRun(server: WandbServer): Promise<{ runDir: string; last: number; output: string }> {
  let n = 0;
  server.fault = (r) => (r.path.endsWith('/file_stream') && n++ % 3 !== 0 ? { status: 503 } : undefined);
  const runDir = newRunDir();
  const lastLogged = (out: string): number => Math.max(-1, ...[...out.matchAll(/^logged (\d+)$/gm)].map((m) => Number(m[1])));
  const held = (): number => (server.runs.size === 0 ? 0 : [...server.runs.values()][0]!.history.length);
  const { output, signal } = await killWhen(fileURLToPath(new URL('./fixtures/child.mjs', import.meta.url)), [runDir],
    { ...process.env, ...env(server.url, server.apiKey) }, (out) => held() >= 10 && lastLogged(out) - held() >= 20);
  expect(signal).toBe('SIGKILL');
  server.fault = () => undefined;
  // All of the child's output is read. A step is printed after logMetrics returned; the one being
  // logged at the kill may be on disk too.
  return { runDir, last: lastLogged(output), output };
}
