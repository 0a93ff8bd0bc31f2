#!/usr/bin/env node
// Kiln benchmark suite. Sections:
//   models  — models × backends, each measurement in its own process, configurations run round-robin
//             (A B C D, A B C D, …) so load changes hit all of them alike; medians; Keras 3 comparison;
//   data    — JPEG decode + augment at 224² (1 and 2 workers) against EfficientNet-B0 training at 224²;
//   loggers — Trainer img/s without remote loggers, with W&B + MLflow at a dead port and at live servers.
// Writes results/latest.json and results/latest.md (and a dated copy under results/runs/).
// `--only data,loggers` runs those sections and merges them into the existing latest.json.
//
//   node src/run.mjs [--only models,data,loggers] [--models cnn,unet,mobilenet,efficientnet]
//                    [--backends native,kiln-wasm-1,kiln-wasm-2,stock-wasm] [--repeats 2] [--rounds 2] [--budget 3]
//                    [--stock-models cnn,unet] [--logger-backends native,kiln-wasm-1] [--quick] [--no-keras] [--render]
import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKENDS } from './backends.mjs';
import { runDataSection } from './data-section.mjs';
import { runLoggersSection } from './loggers-section.mjs';
import { MODELS } from './models.mjs';
import { runModelsSection } from './models-section.mjs';
import { renderMarkdown } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'results');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const quick = argv.includes('--quick');
if (argv.includes('--render')) {
  // Re-render latest.md from latest.json (after a change to report.mjs), without measuring.
  writeFileSync(join(out, 'latest.md'), renderMarkdown(JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'))));
  process.exit(0);
}
const SECTIONS = ['models', 'data', 'loggers'];
const only = opt('only', SECTIONS.join(',')).split(',');
const unknown = only.filter((s) => !SECTIONS.includes(s));
if (unknown.length) {
  console.error(`[bench] unknown section(s) ${unknown.join(', ')}: use --only with ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const repeats = Number(opt('repeats', quick ? 1 : 2));
const budget = Number(opt('budget', quick ? 1.5 : 3));
const cfg = {
  models: opt('models', MODELS.map((m) => m.id).join(',')).split(','),
  backends: opt('backends', BACKENDS.map((b) => b.id).join(',')).split(','),
  repeats, rounds: Number(opt('rounds', quick ? 1 : 2)), budget,
  keras: !argv.includes('--no-keras'),
  stockModels: opt('stock-models', 'cnn,unet').split(','),
};
const log = (l) => console.log(`[bench] ${l}`);
const loads = [loadavg()[0]];
const io = { log, load: () => loads.push(loadavg()[0]) };
const t0 = performance.now();

// Sections not run keep their previous results (a partial run merges into latest.json).
const previous = existsSync(join(out, 'latest.json')) ? JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) : {};
const machine = () => ({ cpu: cpus()[0]?.model, cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAvg1m: { min: Math.min(...loads), max: Math.max(...loads) } });
const report = { ...previous };

if (only.includes('models')) {
  const m = await runModelsSection(cfg, io);
  const { stockModels: _s, ...config } = cfg;
  Object.assign(report, { date: new Date().toISOString(), machine: machine(), config: { ...config, nativeSearch: process.env.KILN_NATIVE_SEARCH ?? null }, ...m, seconds: Math.round((performance.now() - t0) / 1000) });
}
if (only.includes('data')) {
  const s0 = performance.now();
  loads.splice(0, loads.length, loadavg()[0]);
  const d = await runDataSection({ repeats, budget: Math.max(budget, 6), images: quick ? 64 : 128, epochs: 2, workers: [0, 1, 2] }, io);
  report.data = { ...d, machine: machine(), seconds: Math.round((performance.now() - s0) / 1000) };
}
if (only.includes('loggers')) {
  const s0 = performance.now();
  loads.splice(0, loads.length, loadavg()[0]);
  const backends = opt('logger-backends', 'native,kiln-wasm-1').split(',');
  const l = await runLoggersSection({ backends, repeats: Number(opt('logger-repeats', 1)), rounds: quick ? 2 : 6, budget }, io);
  report.loggers = { ...l, machine: machine(), seconds: Math.round((performance.now() - s0) / 1000) };
}

const stamp = new Date().toISOString();
mkdirSync(join(out, 'runs'), { recursive: true });
writeFileSync(join(out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(out, 'runs', `${stamp.replace(/[:.]/g, '-')}-${only.join('+')}.json`), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(out, 'latest.md'), renderMarkdown(report));
log(`${only.join(', ')} done in ${Math.round((performance.now() - t0) / 1000)} s → results/latest.md, results/latest.json`);
