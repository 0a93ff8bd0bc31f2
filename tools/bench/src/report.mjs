// Renders results/latest.md from the suite's JSON report.

const f1 = (n) => (n === undefined || n === null || Number.isNaN(n) ? '–' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n >= 1 ? n.toFixed(2) : n.toPrecision(2));
const ratio = (a, b) => (a && b ? `${a / b >= 10 ? (a / b).toFixed(0) : (a / b).toFixed(2)}×` : "–");

/** @param {any} report */
export function renderMarkdown(report) {
  const get = (model, backend) => report.results.find((r) => r.model === model && r.backend === backend && r.ok);
  const kerasIps = (model) => (report.keras.ok ? report.keras.results.find((k) => k.model === model)?.imgPerSec : undefined);
  const L = [];
  L.push('# Kiln benchmark: training throughput', '');
  L.push(`${report.date} · ${report.machine.cpu} · ${report.machine.cores} cores · Node ${report.machine.node} · 1-min load ${report.machine.loadAvg1m.min.toFixed(1)}–${report.machine.loadAvg1m.max.toFixed(1)} · ${report.seconds} s`);
  L.push('', `Training images/second (median over ${report.config.repeats} processes × ${report.config.rounds} rounds, ~${report.config.budget} s each, run round-robin). `
    + 'Loop: `tf.variableGrads` + Adam inside one `tf.tidy`, loss read back every step, a fixed random batch (no data pipeline). '
    + 'Absolute numbers depend on the load of the machine; compare the ratios, which come from the same run. '
    + 'The Keras models run after all tfjs runs, in their own process.', '');
  if (report.config.nativeSearch) L.push(`native: tfjs-node 4.22.0 built offline from the tensorflow-cpu 2.21.0 wheel by \`installNative\`, loaded from ${report.config.nativeSearch} (KILN_NATIVE_SEARCH).`, '');
  const bs = report.backends;
  L.push(`| model | ${bs.map((b) => b.title).join(' | ')} | Keras 3 fit |`);
  L.push(`|---|${bs.map(() => '---:').join('|')}|---:|`);
  for (const m of report.models) L.push(`| ${m.title} | ${bs.map((b) => f1(get(m.id, b.id)?.imgPerSec)).join(' | ')} | ${f1(kerasIps(m.id))} |`);
  L.push('', '## Ratios', '');
  L.push('| model | native / Keras | Kiln wasm 1t / stock | Kiln wasm 2t / stock | Kiln wasm 1t / native | Kiln wasm 2t / native |');
  L.push('|---|---:|---:|---:|---:|---:|');
  for (const m of report.models) {
    const ips = (b) => get(m.id, b)?.imgPerSec;
    L.push(`| ${m.title} | ${ratio(ips('native'), kerasIps(m.id))} | ${ratio(ips('kiln-wasm-1'), ips('stock-wasm'))} | ${ratio(ips('kiln-wasm-2'), ips('stock-wasm'))} | ${ratio(ips('kiln-wasm-1'), ips('native'))} | ${ratio(ips('kiln-wasm-2'), ips('native'))} |`);
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
  L.push('', 'Raw numbers: [latest.json](latest.json). Re-run: `npm run bench` (options: `--quick`, `--models`, `--backends`, `--repeats`, `--rounds`, `--budget`, `--no-keras`).', '');
  return L.join('\n');
}
