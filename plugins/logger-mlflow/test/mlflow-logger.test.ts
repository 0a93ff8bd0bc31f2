import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginHost, createRegistries, createRunContainer } from '@kiln/core-trainer';
import { Outbox } from '@kiln/loggers';
import mlflowPlugin, { MlflowErrorCodes, createMlflowLogger, mlflowLoggerFactory } from '../src/index.js';
import { gitInfo } from '../src/internal/git.js';
import { FAST, captureOutput, context, filesContaining, newRunDir, newSecret, range, stepsOf } from './helpers.js';
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

describe('mlflow logger against a loopback tracking server', () => {
  it('creates experiment and run with system tags, logs params/metrics/artifacts and the final status', async () => {
    const token = newSecret();
    server = await startMlflowServer({ auth: { token } });
    const runDir = newRunDir();
    mkdirSync(join(runDir, 'checkpoints', 'best'), { recursive: true });
    writeFileSync(join(runDir, 'checkpoints', 'best', 'weights.bin'), Buffer.from([9, 8, 7]));
    writeFileSync(join(runDir, 'config.yaml'), 'lr: 0.1\n');
    const env = { MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: token, MLFLOW_EXPERIMENT_NAME: 'kiln-exp', USER: 'ada' };
    const { output } = await captureOutput(async () => {
      const logger = await createMlflowLogger({ ...FAST, notes: 'hello', tags: { team: 'vision' }, sourceName: 'train.ts' }, context(runDir, env));
      expect(logger.logParams({ lr: 0.1, model: { name: 'unet', depth: 4 }, long: 'x'.repeat(600), api_token: token, 'bad@key': 1 })).toBeUndefined();
      logger.logParams({ lr: 0.2 }); // params are immutable in MLflow: reported, not sent
      for (let s = 0; s < 25; s++) expect(logger.logMetrics(s, { loss: 1 / (s + 1), 'val/acc': s / 25 })).toBeUndefined();
      logger.logMetrics(25, { loss: Number.NaN, inf: Number.POSITIVE_INFINITY });
      logger.logImage!(25, 'samples/pred', { height: 1, width: 2, channels: 1, data: new Uint8Array([0, 255]) });
      logger.logText!(25, 'model_summary', 'dense 10');
      logger.logHistogram!(25, 'w', new Float32Array([1, 2]));
      logger.logArtifact!(join(runDir, 'checkpoints', 'best'), 'checkpoint');
      logger.logArtifact!(join(runDir, 'config.yaml'), 'config');
      await logger.finish('finished');
    });
    const exp = server.experiment('kiln-exp')!;
    expect(exp).toBeDefined();
    const run = onlyRun(server);
    expect(run.info).toMatchObject({ experiment_id: exp.experiment_id, run_name: 'demo-run', status: 'FINISHED', user_id: 'ada' });
    expect(run.info.end_time).toBeGreaterThanOrEqual(run.info.start_time);
    expect(Object.fromEntries(run.tags)).toMatchObject({
      'mlflow.runName': 'demo-run', 'mlflow.user': 'ada', 'mlflow.source.name': 'train.ts', 'mlflow.source.type': 'LOCAL',
      'mlflow.note.content': 'hello', team: 'vision',
    });
    expect(run.tags.get('mlflow.source.git.commit')).toBe(gitInfo(process.cwd())?.commit); // set when the tests run in a git checkout
    expect(Object.fromEntries(run.params)).toEqual({ lr: '0.1', 'model.name': 'unet', 'model.depth': '4', long: 'x'.repeat(500), api_token: '***', bad_key: '1' });
    expect(stepsOf(run.metrics, 'loss')).toEqual(range(0, 26));
    expect(stepsOf(run.metrics, 'val/acc')).toEqual(range(0, 25));
    expect(Number.isNaN(run.metrics.find((m) => m.key === 'loss' && m.step === 25)!.value)).toBe(true);
    expect(run.metrics.find((m) => m.key === 'inf')!.value).toBe(Number.POSITIVE_INFINITY);
    const prefix = `${exp.experiment_id}/${run.info.run_id}/artifacts`;
    expect([...server.artifacts.keys()].sort()).toEqual([
      `${prefix}/checkpoints/best/weights.bin`, `${prefix}/config.yaml`, `${prefix}/images/samples_pred_step_25.png`, `${prefix}/text/model_summary.txt`,
    ]);
    expect(server.artifacts.get(`${prefix}/checkpoints/best/weights.bin`)!.body).toEqual(Buffer.from([9, 8, 7]));
    expect(server.artifacts.get(`${prefix}/images/samples_pred_step_25.png`)!.contentType).toBe('image/png');
    expect(server.artifacts.get(`${prefix}/text/model_summary.txt`)!.body.toString()).toBe('dense 10');
    // the only refusal: the experiment did not exist yet
    expect(server.log.filter((l) => typeof l.status === 'number' && l.status >= 400).map((l) => `${l.path} ${l.status}`)).toEqual(['/api/2.0/mlflow/experiments/get-by-name 404']);
    expect(output).toContain("param 'lr' was already logged");
    expect(output).toContain('cut to 500 characters: long');
    expect(output).not.toContain(token);
    expect(filesContaining(runDir, token)).toEqual([]);
    const box = await Outbox.open(join(runDir, 'outbox', 'mlflow'));
    expect(box.status().pending).toBe(0);
    await box.close();
  });

  it('splits log-batch within the limits (1000 metrics, 100 params per request)', async () => {
    server = await startMlflowServer();
    const logger = await createMlflowLogger({ ...FAST, retry: { baseMs: 10, maxMs: 100, maxBatch: 500 } }, context(newRunDir(), { MLFLOW_TRACKING_URI: server.url }));
    logger.logParams(Object.fromEntries(range(0, 250).map((i) => [`p${i}`, i])));
    for (let s = 0; s < 300; s++) logger.logMetrics(s, Object.fromEntries(range(0, 10).map((i) => [`m${i}`, s * i])));
    await logger.finish('failed');
    const run = onlyRun(server);
    expect(run.params.size).toBe(250);
    expect(run.metrics).toHaveLength(3000);
    expect(run.info.status).toBe('FAILED');
    expect(run.info.experiment_id).toBe('0'); // the Default experiment
    const batches = server.bodies.filter((b) => b.path.endsWith('/runs/log-batch')).map((b) => JSON.parse(b.body.toString()) as { metrics: unknown[]; params: unknown[] });
    expect(Math.max(...batches.map((b) => b.metrics.length))).toBe(1000);
    expect(Math.max(...batches.map((b) => b.params.length))).toBe(100);
    expect(server.log.filter((l) => typeof l.status === 'number' && l.status >= 400)).toEqual([]);
  });

  it('gets-or-creates the experiment race-safely (another client creates it first)', async () => {
    server = await startMlflowServer();
    server.fault = (r) => {
      if (r.path.endsWith('/experiments/create') && !server!.experiment('raced')) server!.createExperiment('raced'); // the other client wins
      return undefined;
    };
    const logger = await createMlflowLogger(FAST, context(newRunDir(), { MLFLOW_TRACKING_URI: server.url, MLFLOW_EXPERIMENT_NAME: 'raced' }));
    logger.logMetrics(0, { loss: 1 });
    await logger.finish('finished');
    expect(server.log.find((l) => l.path.endsWith('/experiments/create'))).toMatchObject({ status: 400, reason: expect.stringContaining('RESOURCE_ALREADY_EXISTS') });
    expect(onlyRun(server).info.experiment_id).toBe(server.experiment('raced')!.experiment_id);
    expect(server.experiments.size).toBe(2);
  });

  it('resumes into the same run and skips steps logged before; basic auth from MLFLOW_TRACKING_USERNAME/PASSWORD', async () => {
    const password = newSecret();
    server = await startMlflowServer({ auth: { username: 'ada', password } });
    const runDir = newRunDir();
    const env = { MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_USERNAME: 'ada', MLFLOW_TRACKING_PASSWORD: password };
    const first = await createMlflowLogger(FAST, context(runDir, env));
    first.logParams({ lr: 0.1 });
    for (let s = 0; s < 10; s++) first.logMetrics(s, { loss: s });
    await first.finish('killed');
    expect(onlyRun(server).info.status).toBe('KILLED');
    const second = await createMlflowLogger(FAST, context(runDir, env, true));
    second.logParams({ lr: 0.1 });
    for (let s = 5; s < 15; s++) second.logMetrics(s, { loss: s });
    await second.finish('finished');
    const run = onlyRun(server);
    expect(stepsOf(run.metrics, 'loss')).toEqual(range(0, 15));
    expect(run.info.status).toBe('FINISHED');
    expect(filesContaining(runDir, password)).toEqual([]);
  });

  it('logs into an existing run given by MLFLOW_RUN_ID', async () => {
    server = await startMlflowServer();
    const a = await createMlflowLogger(FAST, context(newRunDir(), { MLFLOW_TRACKING_URI: server.url }));
    a.logMetrics(0, { loss: 0 });
    await a.finish('finished');
    const id = onlyRun(server).info.run_id;
    const b = await createMlflowLogger(FAST, context(newRunDir(), { MLFLOW_TRACKING_URI: server.url, MLFLOW_RUN_ID: id }));
    b.logMetrics(1, { loss: 1 });
    await b.finish('finished');
    expect(stepsOf(onlyRun(server).metrics, 'loss')).toEqual([0, 1]);
  });

  it('bad calls never throw into training: reported once, the rest still delivered', async () => {
    server = await startMlflowServer();
    const { output } = await captureOutput(async () => {
      const logger = await createMlflowLogger(FAST, context(newRunDir(), { MLFLOW_TRACKING_URI: server!.url }));
      for (let i = 0; i < 3; i++) {
        expect(() => logger.logImage!(1, 'x', { height: 2, width: 2, channels: 3, data: new Uint8Array(3) })).not.toThrow();
        expect(() => logger.logArtifact!('/no/such/file')).not.toThrow();
      }
      logger.logMetrics(1, { loss: 1 });
      await logger.finish('finished');
      logger.logMetrics(2, { loss: 2 });
    });
    expect(output.match(/logImage failed/g)).toHaveLength(1);
    expect(output.match(/logArtifact failed: .*no such file/gi)).toHaveLength(1);
    expect(stepsOf(onlyRun(server).metrics, 'loss')).toEqual([1]);
  });

  it('refuses a tracking URI that is not http(s), and credentials as options', async () => {
    await expect(createMlflowLogger(FAST, context(newRunDir(), { MLFLOW_TRACKING_URI: 'file:./mlruns' }))).rejects.toMatchObject({ code: MlflowErrorCodes.URI_INVALID });
    expect(mlflowLoggerFactory.schema.safeParse({ token: 'x' }).success).toBe(false);
  });

  it("registers the 'mlflow' logger from the plugin", async () => {
    const host = new PluginHost(createRunContainer(), createRegistries());
    host.use(mlflowPlugin);
    await host.setup();
    expect(host.registries.loggers.get('mlflow')).toBe(mlflowLoggerFactory);
  });
});
