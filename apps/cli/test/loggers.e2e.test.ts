// End to end through the real CLI: `kiln train` with the TensorBoard, W&B and MLflow loggers
// pointed (by environment variables, as users do) at the loopback servers the plugins' own tests
// use; then the same with both servers down during the run, and `kiln sync` once they are up.
// history.jsonl is the truth: each server must hold every row of it exactly once, in order.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readHistory } from '@kiln/loggers';
import { type Loopback, captureOutput, filesContaining, freePort } from '@kiln/loggers/testing';
import { readEventFile } from '@kiln/plugin-logger-tensorboard';
import { main } from '../src/main.js';
import type { Io } from '../src/internal/output.js';

// The plugins' loopback servers (plugins/logger-*/test/*-server.ts) belong to the plugins' test
// projects, which this project's TypeScript program does not reference, so they are loaded at run
// time by path; the fields used here are typed below.
type WandbServer = Loopback & { readonly runs: Map<string, { project: string; complete: boolean; exitcode: number | null; history: Record<string, unknown>[] }> };
type MlflowServer = Loopback & { readonly runs: Map<string, { info: { status: string }; metrics: { key: string; step: number; value: number }[] }> };
const WANDB_SERVER = fileURLToPath(new URL('../../../plugins/logger-wandb/test/wandb-server.ts', import.meta.url));
const MLFLOW_SERVER = fileURLToPath(new URL('../../../plugins/logger-mlflow/test/mlflow-server.ts', import.meta.url));
const { startWandbServer } = (await import(WANDB_SERVER)) as { startWandbServer: (apiKey: string, port?: number) => Promise<WandbServer> };
const { startMlflowServer } = (await import(MLFLOW_SERVER)) as { startMlflowServer: (o: { auth: { token: string } }, port?: number) => Promise<MlflowServer> };

type Row = { step: number; values: Record<string, unknown> };
type Scalar = [step: number, key: string, value: number];

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A tiny UNet run that logs every step (two rows share a step at each epoch end) and saves checkpoints. */
const TINY = [
  'backend=wasm', 'data.size=32', 'data.valSize=8', 'data.imageSize=32', 'model.depth=2', 'model.baseFilters=4', 'trainer.maxEpochs=2',
  'trainer.logEveryNSteps=1', 'callbacks=[{name: model-checkpoint, saveLast: true}]',
];
// finishTimeoutMs: how long the end of a run waits for a server that is down (default 30 s).
const LOGGERS = 'loggers=[jsonl, tensorboard, {name: wandb, finishTimeoutMs: 1000}, {name: mlflow, finishTimeoutMs: 1000}]';

/** Credentials and servers: W&B refuses any other key, MLflow any other bearer token. */
async function setup(ports?: { wandb: number; mlflow: number }) {
  const key = randomBytes(20).toString('hex');
  const token = `tok-${randomBytes(16).toString('hex')}`;
  const wandbUrl = ports ? `http://127.0.0.1:${ports.wandb}` : undefined;
  const mlflowUrl = ports ? `http://127.0.0.1:${ports.mlflow}` : undefined;
  const start = async () => {
    const wandb = await startWandbServer(key, ports?.wandb);
    const mlflow = await startMlflowServer({ auth: { token } }, ports?.mlflow);
    servers.push(wandb, mlflow);
    return { wandb, mlflow };
  };
  const up = ports ? undefined : await start();
  const env = {
    WANDB_API_KEY: key, WANDB_BASE_URL: wandbUrl ?? up!.wandb.url, WANDB_PROJECT: 'e2e',
    MLFLOW_TRACKING_URI: mlflowUrl ?? up!.mlflow.url, MLFLOW_TRACKING_TOKEN: token, MLFLOW_EXPERIMENT_NAME: 'e2e',
  };
  return { env, start, up, secrets: [key, `api:${key}`, token] };
}

/** Runs the CLI; `output` holds what it printed through `io` and what the loggers wrote to stdout/stderr. */
async function kiln(argv: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const io: Io = { out: (t) => lines.push(t), err: (t) => lines.push(t), env, cwd };
  const { result, output } = await captureOutput(() => main(argv, io));
  return { code: result, output: `${lines.join('\n')}\n${output}` };
}

const historyRows = (runDir: string): Row[] => readHistory(join(runDir, 'history.jsonl')).map(({ step, time: _time, ...values }) => ({ step, values }));
const scalars = (rows: Row[]): Scalar[] => rows.flatMap((r) => Object.entries(r.values).map(([k, v]): Scalar => [r.step, k, v as number]));

function wandbRows(s: WandbServer): Row[] {
  expect(s.runs.size).toBe(1);
  const run = [...s.runs.values()][0]!;
  expect(run).toMatchObject({ project: 'e2e', complete: true, exitcode: 0 });
  expect(run.history.map((h) => h._step)).toEqual(run.history.map((_, i) => i)); // consecutive _step
  return run.history.map(({ global_step, _step, _runtime, _timestamp, ...values }) => ({ step: global_step as number, values }));
}

function mlflowScalars(s: MlflowServer): Scalar[] {
  expect(s.runs.size).toBe(1);
  const run = [...s.runs.values()][0]!;
  expect(run.info.status).toBe('FINISHED');
  // The server stores a metric once per (key, step, value, timestamp), like MLflow's SQL store; in
  // request order. Two rows of one step hold the same `lr` at different times (validation between).
  return run.metrics.map((m): Scalar => [m.step, m.key, m.value]);
}

/** Scalars of every event file of the run, read back with our TypeScript reader. */
function tensorboardScalars(runDir: string): Scalar[] {
  const dir = join(runDir, 'tensorboard');
  const files = readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.')).sort();
  expect(files.length).toBeGreaterThan(0);
  return files.flatMap((f) => readEventFile(join(dir, f)))
    .flatMap((e) => e.values.filter((v) => v.simpleValue !== undefined).map((v): Scalar => [e.step, v.tag, v.simpleValue!]));
}

/** Every server holds every row of history.jsonl exactly once, in order; TensorBoard as float32. */
function expectAllDelivered(runDir: string, up: { wandb: WandbServer; mlflow: MlflowServer }): void {
  const rows = historyRows(runDir);
  expect(rows.length).toBeGreaterThanOrEqual(6); // 4 steps + 2 epoch ends
  expect(wandbRows(up.wandb)).toEqual(rows);
  expect(mlflowScalars(up.mlflow)).toEqual(scalars(rows));
  expect(tensorboardScalars(runDir)).toEqual(scalars(rows).map(([s, k, v]): Scalar => [s, k, Math.fround(v)]));
}

function expectNoSecrets(runDir: string, output: string, secrets: string[]): void {
  expect(readdirSync(join(runDir, 'checkpoints')).length).toBeGreaterThan(0);
  expect(readdirSync(join(runDir, 'outbox')).sort()).toEqual(['mlflow', 'wandb']);
  expect(filesContaining(runDir, secrets)).toEqual([]); // every file: config, history, outbox/, checkpoints/, tensorboard/
  for (const s of secrets) for (const form of [s, Buffer.from(s).toString('base64')]) expect(output).not.toContain(form);
}

describe('kiln train with loggers [tensorboard, wandb, mlflow] (e2e)', () => {
  it('delivers every logged metric exactly once to each server, and writes the key nowhere', async () => {
    const { env, up, secrets } = await setup();
    const cwd = mkdtempSync(join(tmpdir(), 'kiln-e2e-'));
    const { code, output } = await kiln(['train', ...TINY, 'name=online', LOGGERS], cwd, env);
    expect(code, output).toBe(0);
    const runDir = join(cwd, 'runs', 'online');
    expectAllDelivered(runDir, up!);
    expect(output).not.toContain('kiln sync');
    expect(up!.wandb.log.filter((l) => typeof l.status !== 'number' || l.status >= 400)).toEqual([]);
    expect(up!.mlflow.log.filter((l) => typeof l.status !== 'number' || l.status >= 400).map((l) => l.path)).toEqual(['/api/2.0/mlflow/experiments/get-by-name']); // created then
    expectNoSecrets(runDir, output, secrets);
  });

  it('servers down during the run: exit 0 with the `kiln sync` hint; sync delivers everything once, a second sync nothing', async () => {
    const ports = { wandb: await freePort(), mlflow: await freePort() };
    const { env, start, secrets } = await setup(ports);
    const cwd = mkdtempSync(join(tmpdir(), 'kiln-e2e-'));
    const train = await kiln(['train', ...TINY, 'name=offline', LOGGERS], cwd, env);
    const runDir = join(cwd, 'runs', 'offline');
    expect(train.code, train.output).toBe(0);
    const hint = `[^\\n]*Upload them with \`kiln sync ${runDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``;
    expect(train.output).toMatch(new RegExp(`W&B: \\d+ event\\(s\\) not delivered${hint}`));
    expect(train.output).toMatch(new RegExp(`MLflow: \\d+ event\\(s\\) not delivered${hint}`));
    expectNoSecrets(runDir, train.output, secrets); // the outbox now holds every event

    const up = await start();
    const sync = await kiln(['sync', runDir], cwd, env);
    expect(sync.code, sync.output).toBe(0);
    expect(sync.output).toMatch(/wandb: delivered [1-9]\d* event\(s\), 0 remaining/);
    expect(sync.output).toMatch(/mlflow: delivered [1-9]\d* event\(s\), 0 remaining/);
    expectAllDelivered(runDir, up);

    const requests = { wandb: up.wandb.bodies.length, mlflow: up.mlflow.bodies.length };
    const again = await kiln(['sync', runDir], cwd, env);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/wandb: delivered 0 event\(s\), 0 remaining/);
    expect(again.output).toMatch(/mlflow: delivered 0 event\(s\), 0 remaining/);
    expect({ wandb: up.wandb.bodies.length, mlflow: up.mlflow.bodies.length }).toEqual(requests); // not one request
    expectAllDelivered(runDir, up);
    expectNoSecrets(runDir, `${train.output}${sync.output}${again.output}`, secrets);
  });
});
