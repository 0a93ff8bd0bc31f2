// Training throughput of the wasm backend: stock wasm with its missing kernels forwarded to the cpu
// backend (the baseline) against Kiln's kernels with 1 and 2 threads, side by side in one run.
// Each measurement runs in its own process; configurations alternate round by round and the
// median is reported. Not a test: numbers depend on the machine and its load.
// Usage: node bench/bench.mjs [--models unet,mobilenet] [--rounds 3] [--steps 3] [--baseline-rounds 1] [--baseline-steps 1]
// The baseline is ~50-100x slower (minutes per UNet step), so it runs fewer rounds and no warm-up step.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
const models = (args.models ?? 'unet,mobilenet').split(',');
const rounds = Number(args.rounds ?? 3), steps = Number(args.steps ?? 3);
const baselineRounds = Number(args['baseline-rounds'] ?? 1), baselineSteps = Number(args['baseline-steps'] ?? 1);
const configs = [['baseline', 1], ['kiln', 1], ['kiln', 2]];
const runOne = fileURLToPath(new URL('./run-one.mjs', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = [];
for (const model of models) {
  const samples = new Map(configs.map((c) => [c.join('/'), []]));
  for (let r = 0; r < rounds; r++) {
    for (const [config, threads] of configs) {
      if (config === 'baseline' && r >= baselineRounds) continue;
      const n = config === 'baseline' ? baselineSteps : steps, warmup = config === 'baseline' ? 0 : 1;
      const out = execFileSync(process.execPath, [runOne, model, config, String(threads), String(n), String(warmup)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const m = JSON.parse(out.trim().split('\n').pop());
      samples.get(`${config}/${threads}`).push(m);
      process.stderr.write(`${model} ${config} ${m.threads}t: ${m.imgPerSec.toFixed(2)} img/s (${m.cpuMsPerStep.toFixed(0)} CPU ms/step, load ${loadavg()[0].toFixed(1)})\n`);
    }
  }
  const base = median(samples.get('baseline/1').map((m) => m.imgPerSec));
  for (const [key, ms] of samples) {
    const ips = median(ms.map((m) => m.imgPerSec));
    results.push({ model, config: key, threads: ms[0].threads, batch: ms[0].batch, imgPerSec: ips, cpuMsPerStep: median(ms.map((m) => m.cpuMsPerStep)), vsBaseline: ips / base, leaked: ms[0].tensorsLeaked == null ? '-' : Math.max(...ms.map((m) => m.tensorsLeaked)) });
  }
}
console.log(`\nwasm training throughput (median of ${rounds} alternating rounds, baseline ${baselineRounds}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})\n`);
console.log('| model | configuration | threads | batch | img/s | CPU ms/step | × baseline | tensors leaked/step |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const name = r.config.startsWith('baseline') ? 'stock wasm + cpu forwarding' : 'Kiln wasm';
  console.log(`| ${r.model} | ${name} | ${r.threads} | ${r.batch} | ${r.imgPerSec.toFixed(2)} | ${r.cpuMsPerStep.toFixed(0)} | ${r.vsBaseline.toFixed(1)} | ${r.leaked} |`);
}
