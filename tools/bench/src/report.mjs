// Renders results/latest.md from the suite's JSON report.

const f1 = (n) => (n === undefined || n === null || Number.isNaN(n) ? '–' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n >= 1 ? n.toFixed(2) : n.toPrecision(2));
const ratio = (a, b) => (a && b ? `${a / b >= 10 ? (a / b).toFixed(0) : (a / b).toFixed(2)}×` : "–");

/** @param {any} report */
export function renderMarkdown(report) {
  const L = [];
  if (report.results) L.push(...renderModels(report));
  else L.push('# Kiln benchmark', '', 'The models section has not been run (`npm run bench -- --only models`).', '');
  if (report.data) L.push(...renderData(report.data));
  if (report.loggers) L.push(...renderLoggers(report.loggers));
  L.push('', 'Raw numbers: [latest.json](latest.json). Re-run: `npm run bench` (options: `--only models,data,loggers`, `--quick`, `--models`, `--backends`, `--repeats`, `--rounds`, `--budget`, `--logger-backends`, `--no-keras`).', '');
  return L.join('\n');
}

/** @param {any} report @returns {string[]} */
function renderModels(report) {
  const get = (model, backend) => report.results.find((r) => r.model === model && r.backend === backend && r.ok);
  const kerasIps = (model) => (report.keras.ok ? report.keras.results.find((k) => k.model === model)?.imgPerSec : undefined);
  const L = [];
  L.push('# Kiln benchmark: training throughput', '');
  L.push(`${report.date} · ${report.machine.cpu} · ${report.machine.cores} cores · Node ${report.machine.node} · 1-min load ${report.machine.loadAvg1m.min.toFixed(1)}–${report.machine.loadAvg1m.max.toFixed(1)} · ${report.seconds} s`);
  L.push('', `Training images/second (median over ${report.config.repeats} processes × ${report.config.rounds} rounds, ~${report.config.budget} s each, run round-robin). `
    + 'Loop: `tf.variableGrads` + Adam inside one `tf.tidy`, loss read back every step, a fixed random batch (no data pipeline). '
    + 'The backend columns use `tf.train.adam`, op by op; "native, Kiln Adam" is the same loop with Kiln\'s `Adam` and each step run as a compiled TensorFlow graph (what `kiln train` runs: the Trainer compiles by default; it adds ~1 %, see below), "eager" the same op by op (`trainer.compile: false`). '
    + 'Absolute numbers depend on the load of the machine; compare the ratios, which come from the same run. '
    + 'Keras runs in the same rotation, after each model\'s tfjs runs in every repeat (its own Python process each time; after tracing, one untimed `fit` of the timed length warms it up, as the tfjs runs get warm-up steps).', '');
  if (report.config.nativeSearch) L.push(`native: tfjs-node 4.22.0 built offline from the tensorflow-cpu 2.21.0 wheel by \`installNative\`, loaded from ${report.config.nativeSearch} (KILN_NATIVE_SEARCH).`, '');
  const bs = report.backends;
  const kilnNative = (model) => get(model, 'native')?.bareKilnImgPerSec;
  const kilnNativeEager = (model) => get(model, 'native')?.bareKilnEagerImgPerSec;
  L.push(`| model | ${bs.map((b) => b.title).join(' | ')} | native, Kiln Adam, eager | native, Kiln Adam, compiled | Keras 3 fit |`);
  L.push(`|---|${bs.map(() => '---:').join('|')}|---:|---:|---:|`);
  for (const m of report.models) L.push(`| ${m.title} | ${bs.map((b) => f1(get(m.id, b.id)?.imgPerSec)).join(' | ')} | ${f1(kilnNativeEager(m.id))} | ${f1(kilnNative(m.id))} | ${f1(kerasIps(m.id))} |`);
  const stats = report.results.filter((r) => r.ok && r.compiler).map((r) => `${r.model} ${r.compiler.compiledSteps} compiled / ${r.compiler.eagerSteps} eager steps, ${r.compiler.graphs} graphs`);
  if (stats.length) L.push('', `Compiled steps in the last native process per model: ${stats.join('; ')}.`);
  L.push('', '## Ratios', '');
  L.push('| model | native / Keras | native, Kiln Adam, compiled / Keras | Kiln wasm 1t / stock | Kiln wasm 2t / stock | Kiln wasm 1t / native | Kiln wasm 2t / native |');
  L.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const m of report.models) {
    const ips = (b) => get(m.id, b)?.imgPerSec;
    L.push(`| ${m.title} | ${ratio(ips('native'), kerasIps(m.id))} | ${ratio(kilnNative(m.id), kerasIps(m.id))} | ${ratio(ips('kiln-wasm-1'), ips('stock-wasm'))} | ${ratio(ips('kiln-wasm-2'), ips('stock-wasm'))} | ${ratio(ips('kiln-wasm-1'), ips('native'))} | ${ratio(ips('kiln-wasm-2'), ips('native'))} |`);
  }
  L.push('', '## Per run: memory, kernels, tensors', '');
  L.push('| model | backend | device | params | batch | img/s | peak RSS MB | kernels / step | new tensors / step | leaked tensors / step |');
  L.push('|---|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of report.results) {
    if (!r.ok) {
      L.push(`| ${r.model} | ${r.backend} | not run: ${r.error.replace(/\|/g, '/')} | | | | | | | |`);
      continue;
    }
    const leak = Object.entries(r.leakPerStep).map(([m, v]) => `${m} ${v}`).join(', ');
    L.push(`| ${r.model} | ${r.backend} | ${r.device} | ${r.params.toLocaleString('en')} | ${r.batch} | ${f1(r.imgPerSec)} | ${r.peakRssMB} | ${r.kernelsPerStep} | ${r.newTensorsPerStep} | ${leak} |`);
  }
  L.push('', '## Kiln Trainer overhead (CNN)', '', `${report.trainer}. Overhead = bare (Kiln Adam) / Trainer − 1; target ≤ 3 %.`, '');
  L.push('| backend | bare loop, tf.train.adam | bare loop, Kiln Adam | Trainer | Trainer overhead |');
  L.push('|---|---:|---:|---:|---:|');
  for (const r of report.results.filter((x) => x.ok && x.trainerImgPerSec)) {
    L.push(`| ${r.backend} | ${f1(r.imgPerSec)} | ${f1(r.bareKilnImgPerSec)} | ${f1(r.trainerImgPerSec)} | ${((r.bareKilnImgPerSec / r.trainerImgPerSec - 1) * 100).toFixed(1)}% |`);
  }
  L.push('', '## Keras 3', '');
  if (report.keras.ok) {
    L.push(`Keras ${report.keras.keras} on TensorFlow ${report.keras.tensorflow} (${report.keras.note}).`, '');
    L.push('| model | Keras fit img/s | params |', '|---|---:|---:|');
    for (const k of report.keras.results) L.push(`| ${k.model} | ${f1(k.imgPerSec)} | ${k.params?.toLocaleString('en') ?? '–'} |`);
  } else {
    L.push(`Not run: ${report.keras.reason}.`);
  }
  if (report.skippedModels.length) L.push('', ...report.skippedModels.map((s) => `- ${s.model} not run: ${s.reason}`));
  return L;
}

const when = (s) => `${s.date} · ${s.machine.cores} cores · 1-min load ${s.machine.loadAvg1m.min.toFixed(1)}–${s.machine.loadAvg1m.max.toFixed(1)} · ${s.seconds} s`;
const pct = (r) => `${r >= 1 ? '+' : '−'}${Math.abs((r - 1) * 100).toFixed(1)}%`;

/** The data section: decode + augment vs EfficientNet-B0 training at 224². @param {any} d @returns {string[]} */
function renderData(d) {
  const L = ['', '## Data pipeline vs training (EfficientNet-B0 224²)', '', when(d), ''];
  L.push(`Decode + augment: ${d.pipeline}; median of ${d.repeats} processes per setting. `
    + `Training: the bare tfjs loop (as above) on EfficientNet-B0 at 224×224, batch ${d.training.batch ?? 8}, ${d.training.backend}${d.training.device ? ` (${d.training.device})` : ''}, median of all timed rounds. `
    + `Both alternate in the same run; each is measured alone (the pipeline would share the 2 cores with training in a real run). Target: pipeline ≥ ${d.target}× training.`, '');
  if (d.training.note) L.push(`**${d.training.note}.**`, '');
  L.push('| | images/s | samples | peak RSS MB | pipeline / training |', '|---|---:|---|---:|---:|');
  const t = d.training;
  L.push(`| training, EfficientNet-B0 224² b${t.batch ?? 8} on ${t.backend} | ${t.ok ? f1(t.imgPerSec) : `not run: ${t.error}`} | ${t.ok ? t.samples.map(f1).join(', ') : ''} | ${t.peakRssMB ?? ''} | |`);
  for (const r of d.decode) {
    const name = r.workers ? `decode + augment, ${r.workers} worker${r.workers > 1 ? 's' : ''}` : 'decode + augment, main thread';
    L.push(r.ok ? `| ${name} | ${f1(r.imgPerSec)} | ${r.samples.map(f1).join(', ')} | ${r.peakRssMB} | ${d.ratio[r.workers] ? `${d.ratio[r.workers].toFixed(1)}×` : '–'} |` : `| ${name} | not run: ${r.error} | | | |`);
  }
  const best = Math.max(...[1, 2].map((w) => d.ratio[w] ?? 0));
  if (best) L.push('', `With 1–2 workers the pipeline delivers ${best.toFixed(1)}× the training rate: target ≥ ${d.target}× ${best >= d.target ? 'met' : 'NOT met'}.`);
  return L;
}

/** The loggers section: remote-logger overhead on training. @param {any} g @returns {string[]} */
function renderLoggers(g) {
  const L = ['', '## Remote logger overhead (W&B + MLflow)', '', when(g), '', `${g.method}.`, '',
    'Ratios below 1 mean slower training. "CPU ms/step" is the training process\'s own CPU time per step (all its threads): the difference between modes is what the loggers cost that process. '
    + 'The loopback servers run on the same 2 cores, so part of a "live" slowdown is the server\'s own work, which a remote server would not add.', ''];
  L.push('| backend | device | no remote logger img/s | server down img/s | live servers img/s | down / none | live / none | noise (none, max/min) | CPU ms/step none / down / live | loopback servers\' CPU during live fits | finish() down / live s |');
  L.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of g.results) {
    if (!r.ok) {
      L.push(`| ${r.backend} | not run: ${r.error} | | | | | | | | | |`);
      continue;
    }
    const m = r.modes;
    L.push(`| ${r.backend} | ${r.device} | ${f1(m.none.imgPerSec)} | ${f1(m.down.imgPerSec)} | ${f1(m.live.imgPerSec)} | ${r.ratio.down.toFixed(3)} (${pct(r.ratio.down)}) | ${r.ratio.live.toFixed(3)} (${pct(r.ratio.live)}) | ${(r.noise * 100).toFixed(1)}% | ${f1(m.none.cpuMsPerStep)} / ${f1(m.down.cpuMsPerStep)} / ${f1(m.live.cpuMsPerStep)} | ${(r.serverCpuShare * 100).toFixed(0)}% of a core | ${m.down.finishSec.toFixed(1)} / ${m.live.finishSec.toFixed(1)} |`);
  }
  L.push('', `Per fit: ${g.results.filter((r) => r.ok).map((r) => `${r.backend} ${r.stepsPerFit} steps × ${r.fits} fits per mode (samples none ${r.modes.none.samples.map(f1).join('/')}, down ${r.modes.down.samples.map(f1).join('/')}, live ${r.modes.live.samples.map(f1).join('/')})`).join('; ')}.`);
  const d = g.delivery;
  L.push('', `Delivery check: the live servers hold ${d.servers.wandb.historyRows} of ${d.wrote.rows} W&B history rows and ${d.servers.mlflow.metricValues} of ${d.wrote.scalars} MLflow metric values (${d.servers.mlflow.distinctMetrics} of ${d.wrote.distinct} distinct by key, step and value; the server, like MLflow's store, keeps one value per key, step, value and timestamp) written by ${d.wrote.runs} live runs `
    + `(W&B runs complete ${d.servers.wandb.complete}, MLflow FINISHED ${d.servers.mlflow.finished}; refused requests W&B ${d.servers.wandb.refused}${d.servers.wandb.refusedPaths?.length ? ` [${d.servers.wandb.refusedPaths.join('; ')}]` : ''}, MLflow ${d.servers.mlflow.refused}${d.servers.mlflow.refusedPaths?.length ? ` [${d.servers.mlflow.refusedPaths.join('; ')}]` : ''}): ${d.complete ? 'everything delivered, exactly once' : 'NOT everything delivered'}.`);
  const errs = g.results.flatMap((r) => r.loggerErrors ?? []);
  if (errs.length) L.push('', `Logger errors: ${errs.join('; ')}`);
  return L;
}
