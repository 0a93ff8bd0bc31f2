import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createMlflowLogger, replayMlflow } from '../src/index.js';
import { FAST, captureOutput, context, filesContaining, newRunDir, newSecret, range, stepsOf } from './helpers.js';
import { type Fault, freePort, killWhen } from '@kiln/loggers/testing';
import { type MlflowServer, startMlflowServer } from './mlflow-server.js';

let server: MlflowServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const onlyRun = (s: MlflowServer) => {
  expect(s.runs.size).toBe(1);
  return [...s.runs.values()][0]!;
};
const env = (url: string, token: string): Record<string, string> => ({ MLFLOW_TRACKING_URI: url, MLFLOW_TRACKING_TOKEN: token, MLFLOW_EXPERIMENT_NAME: 'faults' });

describe('mlflow delivery under faults: every metric arrives exactly once', () => {
  it('server down for the whole run: logging never blocks or throws, replay delivers afterwards', async () => {
    const port = await freePort();
    const token = newSecret();
    const url = `http://127.0.0.1:${port}`;
    const runDir = newRunDir();
    const { output } = await captureOutput(async () => {
      const logger = await createMlflowLogger({ ...FAST, finishTimeoutMs: 300 }, context(runDir, env(url, token)));
      logger.logParams({ lr: 0.1 });
      for (let s = 0; s < 50; s++) expect(logger.logMetrics(s, { loss: s })).toBeUndefined();
      await logger.finish('finished');
    });
    expect(output).toContain(`kiln sync ${runDir}`);
    server = await startMlflowServer({ auth: { token } }, port);
    expect((await replayMlflow(FAST, context(runDir, env(url, token)))).remaining).toBe(0);
    const run = onlyRun(server);
    expect(stepsOf(run.metrics, 'loss')).toEqual(range(0, 50));
    expect(run.params.get('lr')).toBe('0.1');
    expect(run.info.status).toBe('FINISHED');
    expect(output).not.toContain(token);
    expect(filesContaining(runDir, token)).toEqual([]);
  });

  it('500s and 429 with Retry-After are retried; the wait honours Retry-After', async () => {
    server = await startMlflowServer();
    let calls = 0;
    const at: number[] = [];
    server.fault = (r): Fault => {
      if (!r.path.endsWith('/runs/log-batch')) return undefined;
      calls++;
      at.push(Date.now());
      if (calls <= 2) return { status: 500, body: JSON.stringify({ error_code: 'INTERNAL_ERROR', message: 'db hiccup' }) };
      if (calls === 3) return { status: 502, body: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' } };
      if (calls === 4) return { status: 429, headers: { 'retry-after': '1' }, body: JSON.stringify({ error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' }) };
      return undefined;
    };
    const logger = await createMlflowLogger(FAST, context(newRunDir(), { MLFLOW_TRACKING_URI: server.url }));
    for (let s = 0; s < 20; s++) logger.logMetrics(s, { loss: s });
    await logger.finish('finished');
    expect(server.log.filter((l) => l.path.endsWith('/runs/log-batch')).map((l) => l.status).slice(0, 5)).toEqual([500, 500, 502, 429, 200]);
    expect(at[4]! - at[3]!).toBeGreaterThanOrEqual(950);
    expect(stepsOf(onlyRun(server).metrics, 'loss')).toEqual(range(0, 20));
  });

  it('a server that hangs is timed out and retried', async () => {
    server = await startMlflowServer();
    let hung = 0;
    server.fault = (r) => (r.path.endsWith('/runs/log-batch') && hung++ < 2 ? 'hang' : undefined);
    const logger = await createMlflowLogger({ ...FAST, timeoutMs: 300 }, context(newRunDir(), { MLFLOW_TRACKING_URI: server.url }));
    for (let s = 0; s < 10; s++) logger.logMetrics(s, { loss: s });
    await logger.finish('finished');
    expect(server.log.filter((l) => l.status === 'hang')).toHaveLength(2);
    expect(stepsOf(onlyRun(server).metrics, 'loss')).toEqual(range(0, 10));
  });

  it('lost responses: a re-sent run creation finds the run by its key, re-sent metrics are stored once', async () => {
    server = await startMlflowServer();
    let creates = 0;
    let batches = 0;
    server.fault = (r) => {
      if (r.path.endsWith('/runs/create') && creates++ === 0) return 'drop';
      if (r.path.endsWith('/runs/log-batch') && batches++ % 2 === 0) return 'drop';
      return undefined;
    };
    const logger = await createMlflowLogger({ ...FAST, retry: { baseMs: 10, maxMs: 50, maxBatch: 7 } }, context(newRunDir(), { MLFLOW_TRACKING_URI: server.url }));
    for (let s = 0; s < 40; s++) logger.logMetrics(s, { loss: s });
    await logger.finish('finished');
    expect(server.log.filter((l) => l.status === 'dropped').length).toBeGreaterThan(3);
    const run = onlyRun(server); // one run, not two
    expect(stepsOf(run.metrics, 'loss')).toEqual(range(0, 40));
  });

  it('a wrong token stops delivery (nothing lost, token never printed); replay with the right one delivers', async () => {
    const token = newSecret();
    server = await startMlflowServer({ auth: { token } });
    const runDir = newRunDir();
    const wrong = newSecret();
    const { output } = await captureOutput(async () => {
      const logger = await createMlflowLogger(FAST, context(runDir, env(server!.url, wrong)));
      for (let s = 0; s < 5; s++) logger.logMetrics(s, { loss: s });
      await logger.finish('finished');
    });
    expect(server.log.filter((l) => l.status === 401)).toHaveLength(1);
    expect(output).toContain('UNAUTHENTICATED');
    expect(output).toContain('MLFLOW_TRACKING_TOKEN');
    expect(output).not.toContain(wrong);
    expect(filesContaining(runDir, wrong)).toEqual([]);
    expect((await replayMlflow(FAST, context(runDir, env(server.url, token)))).remaining).toBe(0);
    expect(stepsOf(onlyRun(server).metrics, 'loss')).toEqual(range(0, 5));
  });

  it('SIGKILL of a process mid-run, then replay, then a resumed run: each step once', async () => {
    server = await startMlflowServer();
    const { runDir, last } = await killMidRun(server);
    await replayMlflow(FAST, context(runDir, { MLFLOW_TRACKING_URI: server.url }));
    const afterReplay = stepsOf(onlyRun(server).metrics, 'loss');
    expect(afterReplay).toEqual(range(0, afterReplay.length));
    expect([last + 1, last + 2]).toContain(afterReplay.length);
    const resumed = await createMlflowLogger(FAST, context(runDir, { MLFLOW_TRACKING_URI: server.url }, true));
    for (let s = last - 10; s < last + 6; s++) resumed.logMetrics(s, { loss: s });
    await resumed.finish('finished');
    expect(stepsOf(onlyRun(server).metrics, 'loss')).toEqual(range(0, last + 6));
    expect(onlyRun(server).info.status).toBe('FINISHED');
  });
});

/**
 * Runs test/fixtures/child.mjs (logs a metric every 2 ms) against `server`, which refuses two
 * log-batch requests in three, and SIGKILLs it once the server holds ≥ 10 steps and ≥ 20 more
 * wait in the child's outbox.
 */
async function killMidRun(server: MlflowServer): Promise<{ runDir: string; last: number }> {
  let n = 0;
  server.fault = (r) => (r.path.endsWith('/runs/log-batch') && n++ % 3 !== 0 ? { status: 503, body: '{"error_code":"TEMPORARILY_UNAVAILABLE"}' } : undefined);
  const runDir = newRunDir();
  const lastLogged = (out: string): number => Math.max(-1, ...[...out.matchAll(/^logged (\d+)$/gm)].map((m) => Number(m[1])));
  const held = (): number => (server.runs.size === 0 ? 0 : [...server.runs.values()][0]!.metrics.length);
  const { output, signal } = await killWhen(fileURLToPath(new URL('./fixtures/child.mjs', import.meta.url)), [runDir],
    { ...process.env, MLFLOW_TRACKING_URI: server.url }, (out) => held() >= 10 && lastLogged(out) - held() >= 20);
  expect(signal).toBe('SIGKILL');
  server.fault = () => undefined;
  // All of the child's output is read. A step is printed after logMetrics returned; the one being
  // logged at the kill may be on disk too.
  return { runDir, last: lastLogged(output) };
}
