// One measurement in its own process: one model on one backend. Prints one `@@BENCH {json}` line.
// Usage: node src/worker.mjs '{"model":"cnn","backend":"native","budget":3,"rounds":2,"modes":["bare","fit"]}'
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { activateBackend } from './backends.mjs';
import { EXTRA_MODELS, MODELS } from './models.mjs';

const cfg = { budget: 3, rounds: 2, warmup: 2, maxSteps: 40, modes: ['bare'], ...JSON.parse(process.argv[2] ?? '{}') };
const emit = (o) => process.stdout.write(`@@BENCH ${JSON.stringify({ model: cfg.model, backend: cfg.backend, ...o })}\n`);

let info;
try {
  info = await activateBackend(cfg.backend);
} catch (e) {
  emit({ ok: false, error: `backend unavailable: ${e.message.split('\n')[0]}` });
  process.exit(0);
}
const spec = [...MODELS, ...EXTRA_MODELS].find((m) => m.id === cfg.model);
const model = await spec.build();
const B = cfg.batch ?? spec.batch;
const cls = spec.kind === 'classification';
const x = tf.randomUniform([B, ...spec.input], 0, 1, 'float32', 1);
const y = cls
  ? tf.oneHot(tf.cast(tf.randomUniform([B], 0, spec.classes, 'float32', 2), 'int32'), spec.classes)
  : tf.cast(tf.greater(tf.randomUniform([B, spec.input[0], spec.input[1], 1], 0, 1, 'float32', 3), 0.5), 'float32');
const loss = (yt, yp) => tf.mean(cls ? tfl.metrics.categoricalCrossentropy(yt, yp) : tfl.metrics.binaryCrossentropy(yt, yp));

// The bare tfjs loop: variableGrads + tf.train.adam, everything in one tidy, loss read back every step.
const opt = tf.train.adam(1e-3);
const vars = model.trainableWeights.map((w) => w.read());
function bareStep() {
  const l = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => loss(y, model.apply(x, { training: true })), vars);
    opt.applyGradients(grads);
    return value;
  });
  l.dataSync();
  l.dispose();
}

// model.fit over `steps` copies of the batch (tfjs-layers' own loop: slicing, callbacks, metrics).
let fitData;
async function fitSteps(steps) {
  if (!fitData || fitData.steps !== steps) {
    if (fitData) tf.dispose([fitData.xs, fitData.ys]);
    fitData = { steps, xs: tf.concat(Array(steps).fill(x)), ys: tf.concat(Array(steps).fill(y)) };
  }
  await model.fit(fitData.xs, fitData.ys, { batchSize: B, epochs: 1, shuffle: false, verbose: 0 });
}

// The same bare loop with Kiln's Adam (the optimizer the Trainer uses): the fair base for the Trainer.
// Where the backend has a step compiler (native), 'bare-kiln' runs each step compiled, as the
// Trainer does by default; 'bare-kiln-eager' is the same loop op by op (Trainer option compile: false).
const core = await import('@kiln/core-trainer');
const compiler = core.stepCompilerFor();
const kilnAdam = new core.Adam([{ name: 'all', variables: vars, lr: 1e-3 }]);
function bareKilnStep(compiled = true) {
  const body = () => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => loss(y, model.apply(x, { training: true })), vars);
    kilnAdam.applyGradients(grads);
    return value;
  });
  const l = compiled && compiler ? compiler.run(body) : body();
  l.dataSync();
  l.dispose();
}

// Kiln's Trainer + SupervisedModule over a source that yields (clones of) the same batch.
const H = spec.input[0];
const W = spec.input[1];

async function trainerSteps(steps) {
  const source = {
    spec: { inputShape: spec.input, task: cls ? 'classification' : 'segmentation', numClasses: spec.classes, targetShape: cls ? [spec.classes] : [H, W, 1], targetDtype: 'float32' },
    numBatches: steps, batchSize: B,
    async *epoch() {
      for (let i = 0; i < steps; i++) yield { x: tf.clone(x), y: tf.clone(y), size: B };
    },
  };
  let opt;
  const module = new core.SupervisedModule({ model, lr: 1e-3, loss: { name: 'bench', compute: loss }, optimizer: (g) => (opt = new core.Adam(g)) });
  await new core.Trainer({ maxEpochs: 1, numSanityValSteps: 0, logEveryNSteps: 1_000_000, seed: 1 }, { warn: () => {} }).fit(module, source);
  opt?.dispose(); // the caller owns the optimizer the module made
}

const STEP = {
  bare: async (n) => { for (let i = 0; i < n; i++) bareStep(); },
  'bare-kiln': async (n) => { for (let i = 0; i < n; i++) bareKilnStep(); },
  'bare-kiln-eager': async (n) => { for (let i = 0; i < n; i++) bareKilnStep(false); },
  trainer: trainerSteps, fit: fitSteps,
};
// Modes that need a step compiler are dropped where the backend has none.
cfg.modes = cfg.modes.filter((m) => m !== 'bare-kiln-eager' || compiler);
const leaks = {};
async function timed(mode, steps) {
  const n0 = tf.memory().numTensors;
  const t0 = performance.now();
  await STEP[mode](steps);
  const sec = (performance.now() - t0) / 1000;
  leaks[mode] = Math.max(leaks[mode] ?? 0, (tf.memory().numTensors - n0) / steps);
  return sec;
}

try {
  if (cfg.modes.includes('fit')) model.compile({ optimizer: tf.train.adam(1e-3), loss: cls ? 'categoricalCrossentropy' : 'binaryCrossentropy' });
  const tw = performance.now();
  for (let i = 0; i < cfg.warmup - 1; i++) bareStep();
  const t1 = performance.now();
  bareStep();
  const stepSec = (performance.now() - t1) / 1000;
  // 3 warm-up steps per mode: a compiled mode builds its graphs (the first step's, which creates the
  // optimizer slots, and the steady step's) before timing, as Keras traces first; the Trainer's JS
  // gets JIT-compiled (on wasm with 1 thread its first rounds otherwise ran ~15 % slow).
  for (const m of cfg.modes) if (m !== 'bare') await STEP[m](3);
  const warmupSec = (performance.now() - tw) / 1000;
  const steps = Math.max(1, Math.min(cfg.maxSteps, Math.round(cfg.budget / stepSec)));
  const rounds = stepSec > cfg.budget ? 1 : cfg.rounds;
  const ips = Object.fromEntries(cfg.modes.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...cfg.modes].reverse() : cfg.modes;
    for (const m of order) ips[m].push((B * steps) / (await timed(m, steps)));
  }
  const prof = await tf.profile(() => bareStep());
  emit({
    ok: true, device: info.device, tfBackend: info.tfBackend, params: model.countParams(), batch: B, steps, rounds, ips,
    stepMs: Math.round(stepSec * 1000), warmupSec: +warmupSec.toFixed(1),
    kernelsPerStep: prof.kernels.length, newTensorsPerStep: prof.newTensors, leakPerStep: leaks,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), compiler: compiler?.stats(),
  });
} catch (e) {
  emit({ ok: false, device: info.device, error: `${e.message.split('\n')[0]}` });
}
process.exit(0);
