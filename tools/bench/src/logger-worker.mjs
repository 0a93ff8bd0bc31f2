// Remote-logger overhead, one backend in its own process: the Kiln Trainer on the suite's CNN
// (64², batch 32, loss/lr/grad_norm logged every step) with
//   none — the JSONL history only (no remote logger),
//   down — JSONL + W&B + MLflow pointed at a loopback port where nothing listens (server down),
//   live — JSONL + W&B + MLflow pointed at the loopback servers of the plugins' tests,
// alternating round-robin in this one process; each fit gets fresh loggers and a fresh run dir.
// The timed part is `Trainer.fit` (what training pays); `finish()` (end-of-run flush) is reported apart.
// Prints one `@@BENCH {json}` line.
// Usage: KILN_BENCH_LOGGER_ENV='{"live":{WANDB_…, MLFLOW_…},"down":{…}}' node src/logger-worker.mjs '{"backend":"native","budget":3,"rounds":3}'
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Adam, SupervisedModule, Trainer } from '@kiln/core-trainer';
import { FanoutLogger, JsonlLogger, readHistory } from '@kiln/loggers';
import { createMlflowLogger } from '@kiln/plugin-logger-mlflow';
import { createWandbLogger } from '@kiln/plugin-logger-wandb';
import { activateBackend } from './backends.mjs';
import { MODELS } from './models.mjs';

const cfg = { budget: 3, rounds: 3, modes: ['none', 'down', 'live'], finishTimeoutMs: { down: 1000, live: 20_000 }, ...JSON.parse(process.argv[2] ?? '{}') };
const emit = (o) => process.stdout.write(`@@BENCH ${JSON.stringify({ backend: cfg.backend, ...o })}\n`);

let info;
try {
  info = await activateBackend(cfg.backend);
} catch (e) {
  emit({ ok: false, error: `backend unavailable: ${e.message.split('\n')[0]}` });
  process.exit(0);
}
const spec = MODELS.find((m) => m.id === 'cnn');
const model = await spec.build();
const B = spec.batch;
const x = tf.randomUniform([B, ...spec.input], 0, 1, 'float32', 1);
const y = tf.oneHot(tf.cast(tf.randomUniform([B], 0, spec.classes, 'float32', 2), 'int32'), spec.classes);
const loss = { name: 'cce', compute: (yt, yp) => tf.mean(tfl.metrics.categoricalCrossentropy(yt, yp)) };
const source = (steps) => ({
  spec: { inputShape: spec.input, task: 'classification', numClasses: spec.classes, targetShape: [spec.classes], targetDtype: 'float32' },
  numBatches: steps, batchSize: B,
  async *epoch() {
    for (let i = 0; i < steps; i++) yield { x: tf.clone(x), y: tf.clone(y), size: B };
  },
});

const loggerErrors = [];
/** What the live fits (warm-up included) wrote: the loopback servers must end with exactly this. */
const live = { runs: 0, rows: 0, scalars: 0, distinct: 0, fitSec: 0 };
/** One fit of `steps` steps with the loggers of `mode`; returns seconds of fit and of finish, and history rows. */
async function fitOnce(mode, steps) {
  const runDir = mkdtempSync(join(tmpdir(), `kiln-bench-log-${mode}-`));
  const ctx = { runDir, runName: `bench-${mode}`, resumed: false };
  const loggers = [new JsonlLogger({ path: join(runDir, 'history.jsonl') })];
  if (mode !== 'none') {
    const env = JSON.parse(process.env.KILN_BENCH_LOGGER_ENV ?? '{}')[mode];
    const finishTimeoutMs = cfg.finishTimeoutMs[mode];
    loggers.push(await createWandbLogger({ finishTimeoutMs }, { ...ctx, env }), await createMlflowLogger({ finishTimeoutMs }, { ...ctx, env }));
  }
  const fan = new FanoutLogger(loggers, { onError: (l, m, e) => loggerErrors.push(`${mode}: ${l}.${m}: ${e?.message ?? e}`) });
  await fan.logParams({ model: 'cnn', batch: B, mode });
  let opt;
  const module = new SupervisedModule({ model, lr: 1e-3, loss, optimizer: (g) => (opt = new Adam(g)) });
  const trainer = new Trainer({ maxEpochs: 1, numSanityValSteps: 0, logEveryNSteps: 1, seed: 1 }, { loggers: [fan], runDir, warn: () => {} });
  const n0 = tf.memory().numTensors;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await trainer.fit(module, source(steps));
  const fitSec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSec = (cpu.user + cpu.system) / 1e6; // this process: training (all its threads) + the loggers' work
  const t1 = performance.now();
  await fan.finish('finished');
  const finishSec = (performance.now() - t1) / 1000;
  opt?.dispose();
  const leaked = tf.memory().numTensors - n0;
  const history = readHistory(join(runDir, 'history.jsonl'));
  const rows = history.length;
  if (mode === 'live') {
    live.runs += 1;
    live.fitSec += fitSec;
    live.rows += rows;
    const scalars = history.flatMap(({ step, time: _t, ...values }) => Object.entries(values).map(([k, v]) => `${k}|${step}|${v}`));
    live.scalars += scalars.length;
    live.distinct += new Set(scalars).size;
  }
  rmSync(runDir, { recursive: true, force: true });
  return { fitSec, finishSec, rows, leaked, cpuSec };
}

try {
  for (const m of cfg.modes) await fitOnce(m, 2); // warm-up: kernels, HTTP clients, run creation paths
  const t = await fitOnce('none', 4);
  const steps = Math.max(4, Math.round(cfg.budget / (t.fitSec / 4)));
  const out = Object.fromEntries(cfg.modes.map((m) => [m, { ips: [], finishSec: [], cpuMsPerStep: [], rows: 0, leaked: 0 }]));
  for (let r = 0; r < cfg.rounds; r++) {
    const order = r % 2 ? [...cfg.modes].reverse() : cfg.modes;
    for (const m of order) {
      const res = await fitOnce(m, steps);
      out[m].ips.push((B * steps) / res.fitSec);
      out[m].finishSec.push(+res.finishSec.toFixed(2));
      out[m].cpuMsPerStep.push(+((res.cpuSec / steps) * 1000).toFixed(2));
      out[m].rows += res.rows;
      out[m].leaked = Math.max(out[m].leaked, res.leaked);
    }
  }
  emit({ ok: true, device: info.device, model: spec.title, batch: B, steps, rounds: cfg.rounds, modes: out, live, loggerErrors: loggerErrors.slice(0, 5), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) });
} catch (e) {
  emit({ ok: false, device: info.device, error: `${e.message.split('\n')[0]}` });
}
process.exit(0);
