import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '@kiln/loggers';
import { PluginHost, createRegistries, createRunContainer } from '@kiln/core-trainer';
import wandbPlugin, { WandbErrorCodes, createWandbLogger, replayWandb, wandbLoggerFactory } from '../src/index.js';
import { FAST, captureOutput, context, filesContaining, newKey, newRunDir, range, steps } from './helpers.js';
import { type WandbServer, startWandbServer } from './wandb-server.js';

let server: WandbServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const envFor = (s: WandbServer, extra: Record<string, string> = {}): Record<string, string> => ({
  WANDB_API_KEY: s.apiKey, WANDB_BASE_URL: s.url, WANDB_PROJECT: 'kiln-test', ...extra,
});

describe('wandb logger against a loopback W&B server', () => {
  it('creates the run, streams history/summary/console, uploads files and completes', async () => {
    server = await startWandbServer(newKey());
    const runDir = newRunDir();
    const ckpt = join(runDir, 'checkpoints', 'best');
    mkdirSync(ckpt, { recursive: true });
    writeFileSync(join(ckpt, 'model.json'), '{"format":"layers-model"}');
    writeFileSync(join(ckpt, 'weights.bin'), Buffer.from([1, 2, 3, 4, 5]));
    writeFileSync(join(runDir, 'report.html'), '<html>report</html>');
    const env = envFor(server, { WANDB_TAGS: 'a, b,,', WANDB_RUN_GROUP: 'grp', WANDB_NOTES: 'some notes', WANDB_JOB_TYPE: 'train' });
    const { output } = await captureOutput(async () => {
      const logger = await createWandbLogger({ ...FAST, name: 'pretty name' }, context(runDir, env));
      expect(logger.logParams({ lr: 0.001, optim: { name: 'adam' }, api_key: server!.apiKey })).toBeUndefined();
      for (let s = 0; s < 30; s++) expect(logger.logMetrics(s * 10, { loss: 1 / (s + 1), acc: s / 30 })).toBeUndefined();
      logger.logMetrics(300, { loss: Number.NaN, weird: Number.POSITIVE_INFINITY, low: Number.NEGATIVE_INFINITY });
      logger.logText!(300, 'model_summary', 'Layer  Params\ndense  10');
      logger.logHistogram!(300, 'weights/dense', new Float32Array([0, 1, 1, 2, 3, Number.NaN]));
      logger.logImage!(300, 'samples', { height: 2, width: 3, channels: 3, data: new Uint8Array(18).fill(200) });
      logger.logArtifact!(ckpt, 'checkpoint');
      logger.logArtifact!(join(runDir, 'report.html'), 'report');
      await logger.finish('finished');
    });

    const run = [...server.runs.values()][0]!;
    expect(server.runs.size).toBe(1);
    expect(run.id).toMatch(/^[a-z0-9]{8}$/);
    expect(run.entity).toBe('kiln-user'); // resolved through Viewer
    expect(run.project).toBe('kiln-test');
    expect(run).toMatchObject({ displayName: 'pretty name', group: 'grp', notes: 'some notes', jobType: 'train', tags: ['a', 'b'] });
    expect(run.config).toEqual({ lr: { value: 0.001 }, optim: { value: { name: 'adam' } }, api_key: { value: '***' } });
    // 31 metric rows + histogram row + image row, _step consecutive from 0
    expect(run.history.map((r) => r._step)).toEqual(range(0, 33));
    expect(steps(run.history)).toEqual([...range(0, 31).map((s) => s * 10), 300, 300]);
    const nan = run.history[30]!;
    expect(Number.isNaN(nan.loss)).toBe(true);
    expect(nan.weird).toBe(Number.POSITIVE_INFINITY);
    expect(nan.low).toBe(Number.NEGATIVE_INFINITY);
    expect(run.history[31]!['weights/dense']).toMatchObject({ _type: 'histogram' });
    expect((run.history[31]!['weights/dense'] as { values: number[] }).values.reduce((a, b) => a + b)).toBe(5);
    const image = run.history[32]!.samples as { path: string; width: number; height: number; format: string };
    expect(image).toMatchObject({ _type: 'image-file', width: 3, height: 2, format: 'png' });
    expect(run.history.every((r) => typeof r._runtime === 'number' && typeof r._timestamp === 'number')).toBe(true);
    expect(run.summary).toMatchObject({ acc: 29 / 30, global_step: 300, _step: 32 });
    expect(Number.isNaN(run.summary.loss)).toBe(true);
    expect(run.console).toHaveLength(2);
    expect(run.console[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6} \[model_summary\] Layer {2}Params$/);
    // run files: image, text, checkpoint, report, config.yaml
    const png = run.files.get(image.path)!;
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(inflateSync(png.subarray(33 + 8, 33 + 8 + png.readUInt32BE(33))).length).toBe(2 * (1 + 9));
    expect(run.files.get('model_summary.txt')!.toString()).toBe('Layer  Params\ndense  10');
    expect(run.files.get('checkpoints/best/weights.bin')).toEqual(Buffer.from([1, 2, 3, 4, 5]));
    expect(run.files.get('checkpoints/best/model.json')!.toString()).toContain('layers-model');
    expect(run.files.get('report.html')!.toString()).toBe('<html>report</html>');
    expect(run.files.get('config.yaml')!.toString()).toContain('lr:\n  desc: null\n  value: 0.001');
    expect(run).toMatchObject({ complete: true, exitcode: 0 });
    // every refusal by the server would show here
    expect(server.log.filter((l) => typeof l.status === 'number' && l.status >= 400)).toEqual([]);
    expect(server.bodies.every((b) => !b.body.toString('latin1').includes(server!.apiKey))).toBe(true);
    const box = await Outbox.open(join(runDir, 'outbox', 'wandb'));
    expect(box.status().pending).toBe(0);
    await box.close();
    expect(filesContaining(join(runDir, 'outbox', 'wandb', 'blobs'), '')).toEqual([]); // snapshots removed once uploaded
    expect(filesContaining(runDir, server.apiKey)).toEqual([]);
    expect(output).not.toContain(server.apiKey);
  });

  it('marks a failed run with a non-zero exit code, and uses WANDB_ENTITY and WANDB_RUN_ID', async () => {
    server = await startWandbServer(newKey());
    const runDir = newRunDir();
    const logger = await createWandbLogger(FAST, context(runDir, envFor(server, { WANDB_ENTITY: 'kiln-user', WANDB_RUN_ID: 'myrun123' })));
    logger.logMetrics(1, { loss: 2 });
    await logger.finish('failed');
    const run = server.run('myrun123');
    expect(run).toMatchObject({ complete: true, exitcode: 1, entity: 'kiln-user' });
    expect(steps(run.history)).toEqual([1]);
    expect(server.log.some((l) => l.path === '/graphql' && server!.bodies.some((b) => b.body.toString().includes('"Viewer"')))).toBe(false);
  });

  it('resumes a run: same W&B run, history continues, steps logged before are not sent twice', async () => {
    server = await startWandbServer(newKey());
    const runDir = newRunDir();
    const env = envFor(server);
    const first = await createWandbLogger(FAST, context(runDir, env));
    for (let s = 0; s < 10; s++) first.logMetrics(s, { loss: s });
    await first.finish('killed');
    const second = await createWandbLogger(FAST, context(runDir, env, true));
    for (let s = 6; s < 15; s++) second.logMetrics(s, { loss: s }); // resumed from a checkpoint at step 5
    await second.finish('finished');
    expect(server.runs.size).toBe(1);
    const run = [...server.runs.values()][0]!;
    expect(steps(run.history)).toEqual(range(0, 15));
    expect(run.history.map((r) => r._step)).toEqual(range(0, 15));
    expect(run).toMatchObject({ complete: true, exitcode: 0 });
  });

  it('continues the history of a run created elsewhere (WANDB_RUN_ID) at its historyLineCount', async () => {
    server = await startWandbServer(newKey());
    const env = envFor(server, { WANDB_RUN_ID: 'shared01' });
    const a = await createWandbLogger(FAST, context(newRunDir(), env));
    for (let s = 0; s < 4; s++) a.logMetrics(s, { loss: s });
    await a.finish('finished');
    const b = await createWandbLogger(FAST, context(newRunDir(), env, true));
    for (let s = 4; s < 7; s++) b.logMetrics(s, { loss: s });
    await b.finish('finished');
    expect(steps(server.run('shared01').history)).toEqual(range(0, 7));
  });

  it('WANDB_MODE=offline keeps everything on disk until replay; disabled writes nothing', async () => {
    server = await startWandbServer(newKey());
    const runDir = newRunDir();
    const { output } = await captureOutput(async () => {
      const logger = await createWandbLogger(FAST, context(runDir, envFor(server!, { WANDB_MODE: 'offline' })));
      for (let s = 0; s < 5; s++) logger.logMetrics(s, { loss: s });
      await logger.finish('finished');
    });
    expect(server.bodies).toHaveLength(0);
    expect(output).toContain('kiln sync');
    const result = await replayWandb(FAST, context(runDir, envFor(server)));
    expect(result).toEqual({ delivered: 7, remaining: 0 }); // run + 5 rows + finish
    expect(steps([...server.runs.values()][0]!.history)).toEqual(range(0, 5));
    expect(await replayWandb(FAST, context(runDir, envFor(server)))).toEqual({ delivered: 0, remaining: 0 });

    const off = newRunDir();
    const disabled = await createWandbLogger(FAST, context(off, { WANDB_MODE: 'disabled' }));
    disabled.logMetrics(1, { loss: 1 });
    await disabled.finish('finished');
    expect(existsSync(join(off, 'outbox'))).toBe(false);
  });

  it('sends an empty file_stream heartbeat when idle, and reports a run stopped from the UI once', async () => {
    server = await startWandbServer(newKey());
    let stopped = 0;
    server.fault = (r) => (r.path.endsWith('/file_stream') && r.body.toString() === '{}' ? { status: 200, body: JSON.stringify({ stopped: stopped++ >= 0 }) } : undefined);
    const { output } = await captureOutput(async () => {
      const logger = await createWandbLogger({ ...FAST, heartbeatMs: 200 }, context(newRunDir(), envFor(server!)));
      logger.logMetrics(0, { loss: 1 });
      while (stopped < 2) await new Promise((r) => setTimeout(r, 50));
      await logger.finish('finished');
    });
    expect(server.bodies.filter((b) => b.path.endsWith('/file_stream') && b.body.toString() === '{}').length).toBeGreaterThanOrEqual(2);
    expect(output.match(/stopped from the W&B UI/g)).toHaveLength(1);
    expect(steps([...server.runs.values()][0]!.history)).toEqual([0]);
  });

  it('bad calls never throw into training: reported once, the rest still delivered', async () => {
    server = await startWandbServer(newKey());
    const { output } = await captureOutput(async () => {
      const logger = await createWandbLogger(FAST, context(newRunDir(), envFor(server!)));
      for (let i = 0; i < 3; i++) {
        expect(() => logger.logImage!(1, 'x', { height: 2, width: 2, channels: 3, data: new Uint8Array(3) })).not.toThrow();
        expect(() => logger.logArtifact!('/no/such/file')).not.toThrow();
      }
      logger.logMetrics(1, { loss: 1 });
      await logger.finish('finished');
      await logger.finish('finished'); // a second finish is a no-op
      logger.logMetrics(2, { loss: 2 }); // after finish: ignored
    });
    expect(output.match(/logImage failed/g)).toHaveLength(1);
    expect(output.match(/logArtifact failed: .*no such file/gi)).toHaveLength(1);
    expect(steps([...server.runs.values()][0]!.history)).toEqual([1]);
  });

  it('fails early without an API key or with an unknown mode, naming the fix', async () => {
    await expect(createWandbLogger(FAST, context(newRunDir(), {}))).rejects.toMatchObject({ code: WandbErrorCodes.NO_API_KEY });
    await expect(createWandbLogger(FAST, context(newRunDir(), { WANDB_MODE: 'sometimes' }))).rejects.toMatchObject({ code: WandbErrorCodes.MODE_INVALID });
    expect(wandbLoggerFactory.schema.safeParse({ apiKey: 'x' }).success).toBe(false);
  });

  it("registers the 'wandb' logger from the plugin", async () => {
    const host = new PluginHost(createRunContainer(), createRegistries());
    host.use(wandbPlugin);
    await host.setup();
    expect(host.registries.loggers.get('wandb')).toBe(wandbLoggerFactory);
  });
});
