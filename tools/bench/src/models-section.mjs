// The models section of the suite: models × backends, each measurement in its own process
// (src/worker.mjs), configurations round-robin; the Keras 3 comparison in the same rotation (after
// each model's tfjs runs in every repeat), so load changes hit Keras and tfjs alike.
import { BACKENDS } from './backends.mjs';
import { runKeras } from './keras.mjs';
import { MODELS, efficientnetAvailable } from './models.mjs';
import { median, runWorker } from './proc.mjs';

const worker = (job) => runWorker('worker.mjs', job);

/**
 * Runs the models section.
 * @param {{ models: string[], backends: string[], repeats: number, rounds: number, budget: number, keras: boolean, stockModels: string[] }} cfg
 * @param {{ log: (line: string) => void, load: () => void }} io  `load()` samples the load average
 */
export async function runModelsSection(cfg, { log, load }) {
  let models = MODELS.filter((m) => cfg.models.includes(m.id));
  const skippedModels = [];
  if (models.some((m) => m.id === 'efficientnet') && !(await efficientnetAvailable())) {
    models = models.filter((m) => m.id !== 'efficientnet');
    skippedModels.push({ model: 'efficientnet', reason: '@kiln/plugin-model-efficientnet is not built (dist missing)' });
  }
  const backends = BACKENDS.filter((b) => cfg.backends.includes(b.id));
  // The stock-wasm baseline forwards conv gradients to pure-JS cpu (~80× slower): by default it runs
  // on the CNN and the UNet only (the targets are stated against it), one warm-up and one timed step.
  const STOCK_MODELS = cfg.stockModels;
  // …and with a smaller batch (conv cost is linear in the batch, so img/s stays comparable): minutes per step otherwise.
  const STOCK_BATCH = { cnn: 8, unet: 2, mobilenet: 4, efficientnet: 2 };
  const jobs = models.flatMap((m) => backends.filter((b) => b.id !== 'stock-wasm' || STOCK_MODELS.includes(m.id)).map((b) => ({
    model: m.id, backend: b.id, budget: cfg.budget, rounds: cfg.rounds,
    // Every model: the bare loop with tf.train.adam and with Kiln's Adam (the optimizer Kiln users run);
    // Kiln Trainer overhead (Trainer vs the same bare loop with Kiln's Adam) on the CNN. The baseline: bare only.
    // On native, 'bare-kiln' runs compiled steps (as the Trainer does) and 'bare-kiln-eager' the same loop op by op.
    modes: b.id === 'stock-wasm' ? ['bare'] : [...(m.id === 'cnn' ? ['bare', 'bare-kiln', 'trainer'] : ['bare', 'bare-kiln']), ...(b.id === 'native' ? ['bare-kiln-eager'] : [])],
    ...(b.id === 'stock-wasm' ? { warmup: 1, rounds: 1, maxSteps: 1, once: true, batch: STOCK_BATCH[m.id] } : {}),
  })));
  for (const m of models) if (!STOCK_MODELS.includes(m.id) && backends.some((b) => b.id === 'stock-wasm')) skippedModels.push({ model: `${m.id} on stock-wasm`, reason: 'the forwarded baseline is run on --stock-models (default cnn,unet) only' });
  const runs = new Map(jobs.map((j) => [`${j.model}/${j.backend}`, []]));
  log(`${jobs.length} configurations × ${cfg.repeats} repeats, budget ${cfg.budget} s per round, ${cfg.rounds} rounds per process`);
  let keras = { ok: false, reason: 'disabled (--no-keras)' };
  /** @type {Map<string, { samples: number[], params?: number }>} */
  const kerasRuns = new Map();
  let kerasFailed = false;
  const kerasRound = async (model, rep) => {
    const r = await runKeras([model], { budget: cfg.budget, repeats: cfg.rounds, log });
    if (!r.ok) {
      keras = r;
      kerasFailed = true; // no venv, or Keras broke: say why once, do not retry every round
      return;
    }
    const k = r.results[0];
    const entry = kerasRuns.get(model) ?? { samples: [] };
    entry.samples.push(...k.samples);
    entry.params = k.params;
    kerasRuns.set(model, entry);
    keras = { ...r, results: [] };
    log(`${model}/keras #${rep + 1}: fit ${k.samples.map((n) => n.toFixed(1)).join('/')} img/s`);
  };
  for (let rep = 0; rep < cfg.repeats; rep++) {
    for (const [i, job] of jobs.entries()) {
      const key = `${job.model}/${job.backend}`;
      const prev = runs.get(key);
      // Skipped when unavailable, or a one-shot baseline already measured.
      if (!(prev.length && (!prev[0].ok || job.once))) {
        const r = await worker(job);
        prev.push(r);
        load();
        log(`${key} #${rep + 1}: ${r.ok ? `${Object.entries(r.ips).map(([m, v]) => `${m} ${v.map((n) => n.toFixed(1)).join('/')}`).join(', ')} img/s (batch ${r.batch}), ${r.kernelsPerStep} kernels/step, RSS ${r.peakRssMB} MB` : r.error}`);
      }
      if (cfg.keras && !kerasFailed && jobs[i + 1]?.model !== job.model) await kerasRound(job.model, rep);
    }
  }
  if (kerasRuns.size > 0) {
    keras = { ...keras, ok: true, results: [...kerasRuns].map(([model, e]) => ({ model, imgPerSec: median(e.samples), samples: e.samples, params: e.params })) };
  }

  const results = [...runs.entries()].map(([key, rs]) => {
    const [model, backend] = key.split('/');
    const ok = rs.filter((r) => r.ok);
    if (!ok.length) return { model, backend, ok: false, error: rs[0]?.error ?? 'not run' };
    const ips = (mode) => median(ok.flatMap((r) => r.ips[mode] ?? []));
    const last = ok.at(-1);
    return {
      model, backend, ok: true, device: last.device, params: last.params, batch: last.batch,
      imgPerSec: ips('bare'), bareKilnImgPerSec: ips('bare-kiln'), bareKilnEagerImgPerSec: ips('bare-kiln-eager'), trainerImgPerSec: ips('trainer'), compiler: last.compiler, samples: ok.flatMap((r) => r.ips.bare),
      stepsPerRound: last.steps, kernelsPerStep: last.kernelsPerStep, newTensorsPerStep: last.newTensorsPerStep,
      leakPerStep: Object.fromEntries(Object.keys(last.leakPerStep).map((m) => [m, Math.max(...ok.map((r) => r.leakPerStep[m] ?? 0))])), peakRssMB: Math.max(...ok.map((r) => r.peakRssMB)),
    };
  });


  return {
    trainer: 'Kiln Trainer.fit (SupervisedModule, Kiln Adam) vs the bare tf.variableGrads loop with the same Kiln Adam, alternating in one process (both with compiled steps where the backend compiles them: native)',
    models: models.map(({ id, title, batch, input }) => ({ id, title, batch, input })), skippedModels, backends, results, keras,
  };
}
