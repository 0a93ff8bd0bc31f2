#!/usr/bin/env node
// Kiln benchmark suite: models × backends, each measurement in its own process, configurations
// run round-robin (A B C D, A B C D, …) so load changes hit all of them alike; medians reported.
// Writes results/latest.json and results/latest.md (and a dated copy under results/runs/).
//
//   node src/run.mjs [--models cnn,unet,mobilenet,efficientnet] [--backends native,kiln-wasm-1,kiln-wasm-2,stock-wasm]
//                    [--repeats 2] [--rounds 2] [--budget 3] [--stock-models cnn,unet] [--quick] [--no-keras] [--render]
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKENDS } from './backends.mjs';
import { runKeras } from './keras.mjs';
import { MODELS, efficientnetAvailable } from './models.mjs';
import { renderMarkdown } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const quick = argv.includes('--quick');
if (argv.includes('--render')) {
  // Re-render latest.md from latest.json (after a change to report.mjs), without measuring.
  const { readFileSync } = await import('node:fs');
  const out = join(here, '..', 'results');
  writeFileSync(join(out, 'latest.md'), renderMarkdown(JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'))));
  process.exit(0);
}
const cfg = {
  models: opt('models', MODELS.map((m) => m.id).join(',')).split(','),
  backends: opt('backends', BACKENDS.map((b) => b.id).join(',')).split(','),
  repeats: Number(opt('repeats', quick ? 1 : 2)),
  rounds: Number(opt('rounds', quick ? 1 : 2)),
  budget: Number(opt('budget', quick ? 1.5 : 3)),
  keras: !argv.includes('--no-keras'),
};
const log = (l) => console.log(`[bench] ${l}`);
const t0 = performance.now();
const median = (a) => {
  const s = [...a].sort((p, q) => p - q);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : undefined;
};

function worker(job) {
  return new Promise((done) => {
    execFile(process.execPath, [join(here, 'worker.mjs'), JSON.stringify(job)], { maxBuffer: 64 << 20, timeout: 900_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('@@BENCH '));
        if (line) done(JSON.parse(line.slice(8)));
        else done({ ok: false, model: job.model, backend: job.backend, error: `worker crashed: ${(err?.message ?? '').split('\n')[0]} ${stderr.trim().split('\n').at(-1) ?? ''}` });
      });
  });
}

let models = MODELS.filter((m) => cfg.models.includes(m.id));
const skippedModels = [];
if (models.some((m) => m.id === 'efficientnet') && !(await efficientnetAvailable())) {
  models = models.filter((m) => m.id !== 'efficientnet');
  skippedModels.push({ model: 'efficientnet', reason: '@kiln/plugin-model-efficientnet is not built (dist missing)' });
}
const backends = BACKENDS.filter((b) => cfg.backends.includes(b.id));
// The stock-wasm baseline forwards conv gradients to pure-JS cpu (~80× slower): by default it runs
// on the CNN and the UNet only (the targets are stated against it), one warm-up and one timed step.
const STOCK_MODELS = opt('stock-models', 'cnn,unet').split(',');
// …and with a smaller batch (conv cost is linear in the batch, so img/s stays comparable): minutes per step otherwise.
const STOCK_BATCH = { cnn: 8, unet: 2, mobilenet: 4, efficientnet: 2 };
const jobs = models.flatMap((m) => backends.filter((b) => b.id !== 'stock-wasm' || STOCK_MODELS.includes(m.id)).map((b) => ({
  model: m.id, backend: b.id, budget: cfg.budget, rounds: cfg.rounds,
  // Kiln Trainer overhead (Trainer vs the same bare loop with Kiln's Adam) on the CNN, every backend but the baseline.
  modes: m.id === 'cnn' && b.id !== 'stock-wasm' ? ['bare', 'bare-kiln', 'trainer'] : ['bare'],
  ...(b.id === 'stock-wasm' ? { warmup: 1, rounds: 1, maxSteps: 1, once: true, batch: STOCK_BATCH[m.id] } : {}),
})));
for (const m of models) if (!STOCK_MODELS.includes(m.id) && backends.some((b) => b.id === 'stock-wasm')) skippedModels.push({ model: `${m.id} on stock-wasm`, reason: 'the forwarded baseline is run on --stock-models (default cnn,unet) only' });
const load = [loadavg()[0]];
const runs = new Map(jobs.map((j) => [`${j.model}/${j.backend}`, []]));
log(`${jobs.length} configurations × ${cfg.repeats} repeats, budget ${cfg.budget} s per round, ${cfg.rounds} rounds per process`);
for (let rep = 0; rep < cfg.repeats; rep++) {
  for (const job of jobs) {
    const key = `${job.model}/${job.backend}`;
    const prev = runs.get(key);
    if (prev.length && (!prev[0].ok || job.once)) continue; // unavailable, or a one-shot baseline
    const r = await worker(job);
    prev.push(r);
    load.push(loadavg()[0]);
    log(`${key} #${rep + 1}: ${r.ok ? `${Object.entries(r.ips).map(([m, v]) => `${m} ${v.map((n) => n.toFixed(1)).join('/')}`).join(', ')} img/s (batch ${r.batch}), ${r.kernelsPerStep} kernels/step, RSS ${r.peakRssMB} MB` : r.error}`);
  }
}

const results = [...runs.entries()].map(([key, rs]) => {
  const [model, backend] = key.split('/');
  const ok = rs.filter((r) => r.ok);
  if (!ok.length) return { model, backend, ok: false, error: rs[0]?.error ?? 'not run' };
  const ips = (mode) => median(ok.flatMap((r) => r.ips[mode] ?? []));
  const last = ok.at(-1);
  return {
    model, backend, ok: true, device: last.device, params: last.params, batch: last.batch,
    imgPerSec: ips('bare'), bareKilnImgPerSec: ips('bare-kiln'), trainerImgPerSec: ips('trainer'), samples: ok.flatMap((r) => r.ips.bare),
    stepsPerRound: last.steps, kernelsPerStep: last.kernelsPerStep, newTensorsPerStep: last.newTensorsPerStep,
    leakPerStep: Object.fromEntries(Object.keys(last.leakPerStep).map((m) => [m, Math.max(...ok.map((r) => r.leakPerStep[m] ?? 0))])), peakRssMB: Math.max(...ok.map((r) => r.peakRssMB)),
  };
});

let keras = { ok: false, reason: 'disabled (--no-keras)' };
if (cfg.keras) {
  log('Keras 3 comparison …');
  keras = await runKeras(models.map((m) => m.id), { budget: cfg.budget, repeats: Math.max(cfg.repeats * cfg.rounds, 2), log });
}
load.push(loadavg()[0]);

const report = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAvg1m: { min: Math.min(...load), max: Math.max(...load) } },
  config: { ...cfg, nativeSearch: process.env.KILN_NATIVE_SEARCH ?? null }, trainer: 'Kiln Trainer.fit (SupervisedModule, Kiln Adam) vs the bare tf.variableGrads loop with the same Kiln Adam, alternating in one process',
  models: models.map(({ id, title, batch, input }) => ({ id, title, batch, input })), skippedModels,
  backends, results, keras, seconds: Math.round((performance.now() - t0) / 1000),
};
const out = join(here, '..', 'results');
mkdirSync(join(out, 'runs'), { recursive: true });
writeFileSync(join(out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(out, 'runs', `${report.date.replace(/[:.]/g, '-')}.json`), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(out, 'latest.md'), renderMarkdown(report));
log(`done in ${report.seconds} s → results/latest.md, results/latest.json`);
