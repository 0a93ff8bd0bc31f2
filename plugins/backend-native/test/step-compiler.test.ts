// Compiled training steps on real TensorFlow: the graph a step is traced into must give what eager
// execution gives, with every per-step value (Adam's bias correction, dropout masks, the batch)
// fed in rather than frozen. Skips, saying why, where the tfjs-node binding does not load.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Adam, type BatchSource, Rng, SupervisedModule, Trainer, stepCompilerFor, withSeededRandom } from '@kiln/core-trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend } from '../src/index.js';
import { NativeStepCompiler } from '../src/internal/graph/step-compiler.js';

const provider = nativeBackend('cpu');
const probe = await provider.probe();
if (!probe.ok) console.warn(`[backend-native] step compiler tests skipped: ${probe.reason}. Fix: ${probe.fix}`);

/** conv-BN-ReLU-pool, a skip connection (concatenate), dropout, dense softmax. */
function model(seed: number): tfl.LayersModel {
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 10 + k });
  const x = tfl.input({ shape: [16, 16, 3] });
  // No bias before batch norm: BN cancels it, so its gradient is pure round-off, which Adam scales up to lr-sized steps.
  const a = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }).apply(x) as tfl.SymbolicTensor;
  const b = tfl.layers.reLU().apply(tfl.layers.batchNormalization().apply(a)) as tfl.SymbolicTensor;
  const c = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }).apply(b) as tfl.SymbolicTensor;
  const d = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(tfl.layers.concatenate().apply([b, c])) as tfl.SymbolicTensor;
  const e = tfl.layers.dropout({ rate: 0.3 }).apply(tfl.layers.globalAveragePooling2d({}).apply(d)) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: init(3) }).apply(e) as tfl.SymbolicTensor });
}

function batch(seed: number, n = 8) {
  return tf.tidy(() => ({
    x: tf.randomNormal([n, 16, 16, 3], 0, 1, 'float32', seed),
    y: tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => (i + seed) % 4), 'int32'), 4),
  }));
}

/** `steps` Adam steps on fresh weights (same seed each call); `wrap` runs each step (compiled or not). */
function train(steps: number, wrap: (fn: () => tf.Scalar) => tf.Scalar, sizes: number[] = [8]) {
  return withSeededRandom(new Rng(5), () => {
    const m = model(1);
    const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const opt = new Adam([{ name: 'all', variables: vars, lr: 1e-2 }]);
    const losses: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < steps; i++) {
      const { x, y } = batch(i + 1, sizes[i % sizes.length]);
      const loss = wrap(() => tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
        opt.applyGradients(grads);
        return value;
      }));
      losses.push(loss.dataSync()[0]!);
      tf.dispose([loss, x, y]);
      counts.push(tf.memory().numTensors);
    }
    const weights = m.weights.map((w) => w.read().dataSync().slice());
    opt.dispose();
    m.dispose();
    return { losses, weights, counts };
  });
}

/** Largest |a-b| / max(1, |b|) over every weight. */
function maxRelDiff(a: Float32Array[] | ArrayLike<number>[], b: Float32Array[] | ArrayLike<number>[]): number {
  let worst = 0;
  a.forEach((w, i) => Array.from(w).forEach((v, j) => { const r = b[i]![j]!; worst = Math.max(worst, Math.abs(v - r) / Math.max(1, Math.abs(r))); }));
  return worst;
}

describe.skipIf(!probe.ok)('compiled training steps (real TensorFlow sessions)', () => {
  beforeAll(async () => {
    await provider.activate();
  });

  // Tolerance: 1e-5 relative. TensorFlow's graph optimizer may fuse ops (conv + bias, matmul + bias),
  // which changes float round-off at the 1e-7 level per step; a value frozen by mistake (a dropout
  // mask, Adam's bias correction for step 1) changes losses at the 1e-2 level.
  it('give the eager losses and weights over 8 steps, with dropout and Adam; graphs run from step 3 on; the tensor count stays flat', () => {
    const compiler = stepCompilerFor('tensorflow')!;
    expect(compiler).toBeDefined();
    const eager = train(8, (fn) => fn());
    const before = compiler.stats();
    const compiled = train(8, (fn) => compiler.run(fn));
    const after = compiler.stats();
    expect(after.compiledSteps - before.compiledSteps).toBeGreaterThanOrEqual(6);
    compiled.losses.forEach((l, i) => expect(Math.abs(l - eager.losses[i]!) / eager.losses[i]!, `step ${i + 1}`).toBeLessThan(1e-5));
    expect(maxRelDiff(compiled.weights, eager.weights)).toBeLessThan(1e-5);
    expect(new Set(eager.counts.slice(2)).size).toBe(1);
    expect(new Set(compiled.counts.slice(2)).size).toBe(1);
  });

  it('a step that changes shape (a smaller last batch) gets its own graph (graphs of the same steps are shared across models); all equal to eager', () => {
    const compiler = stepCompilerFor('tensorflow')!;
    const eager = train(8, (fn) => fn(), [8, 8, 5]);
    const g0 = compiler.stats().graphs;
    const compiled = train(8, (fn) => compiler.run(fn), [8, 8, 5]);
    expect(compiler.stats().graphs - g0).toBeGreaterThanOrEqual(1);
    compiled.losses.forEach((l, i) => expect(Math.abs(l - eager.losses[i]!) / eager.losses[i]!, `step ${i + 1}`).toBeLessThan(1e-5));
    expect(maxRelDiff(compiled.weights, eager.weights)).toBeLessThan(1e-5);
  });

  it('keeps at most maxGraphs sessions (least recently used goes) and closes them all on dispose', () => {
    const binding = (tf.backend() as unknown as { binding: { getNumOfSavedModels(): number } }).binding;
    const sessions0 = binding.getNumOfSavedModels();
    const compiler = new NativeStepCompiler(tf.backend(), { maxGraphs: 1 });
    let most = 0;
    const sizes = [8, 8, 8, 8, 5, 5, 5, 8, 8];
    const eager = train(sizes.length, (fn) => fn(), sizes);
    const compiled = train(sizes.length, (fn) => {
      const out = compiler.run(fn);
      most = Math.max(most, binding.getNumOfSavedModels() - sessions0);
      return out;
    }, sizes);
    expect(most).toBe(1);
    const { graphs, compiledSteps } = compiler.stats();
    expect(graphs).toBeGreaterThanOrEqual(3); // batch 8, batch 5, batch 8 again after its eviction
    expect(compiledSteps).toBeGreaterThanOrEqual(3);
    compiled.losses.forEach((l, i) => expect(Math.abs(l - eager.losses[i]!) / eager.losses[i]!, `step ${i + 1}`).toBeLessThan(1e-5));
    compiler.dispose();
    expect(binding.getNumOfSavedModels()).toBe(sessions0);
  });

  it('a value read inside the step runs the rest of that step eagerly, with the same result', () => {
    const compiler = stepCompilerFor('tensorflow')!;
    const w = tf.variable(tf.ones([4]));
    const step = (read: boolean) => compiler.run(() => tf.tidy(() => {
      const a = tf.mul(w, 3);
      const k = read ? a.dataSync()[0]! : 3; // a JS decision from a tensor value, as a NaN guard would make
      w.assign(tf.add(a, k));
      return tf.sum(w);
    }));
    for (let i = 0; i < 3; i++) tf.dispose(step(false)); // w: 1 → 6 → 21 → 66
    const s = step(true); // 66·3 + 198
    expect(s.dataSync()[0]).toBe(4 * (66 * 3 + 198));
    expect(compiler.stats().fallbacks).toContain('a value was read inside the step');
    // A step that reads every time: recorded, replayed at the read and finished eagerly, every time.
    w.assign(tf.ones([4]));
    let expected = 1;
    for (let i = 0; i < 6; i++) {
      tf.dispose(step(true));
      expected = expected * 3 + expected * 3;
    }
    expect(Array.from(w.dataSync())).toEqual([expected, expected, expected, expected]);
    tf.dispose([s, w]);
  });

  it('an error inside a compiled step leaves every tensor valid and is raised as is', () => {
    const compiler = stepCompilerFor('tensorflow')!;
    const w = tf.variable(tf.tensor1d([1, 2]) as tf.Tensor);
    const step = (fail: boolean) => compiler.run(() => {
      const next = tf.tidy(() => tf.mul(w, 2));
      w.assign(next);
      next.dispose();
      if (fail) throw new Error('boom');
    });
    step(false);
    step(false);
    expect(() => step(true)).toThrow('boom');
    expect(Array.from(w.dataSync())).toEqual([8, 16]);
    w.dispose();
  });

  it('the Trainer compiles training, validation and predict steps by default on native and ends where `compile: false` ends (1e-5)', async () => {
    const run = async (compile: boolean) => {
      const m = model(2);
      const source: BatchSource = {
        spec: { inputShape: [16, 16, 3] as [number, number, number], task: 'classification' as const, numClasses: 4, targetShape: [4], targetDtype: 'float32' as const },
        numBatches: 6, batchSize: 8,
        async *epoch(e: number) {
          for (let i = 0; i < 6; i++) yield { ...batch(e * 10 + i + 1), size: 8 };
        },
      };
      let opt: Adam | undefined;
      const module = new SupervisedModule({ model: m, lr: 1e-2, loss: { name: 'cce', compute: (y, p) => tf.losses.softmaxCrossEntropy(y, p) }, optimizer: (g) => (opt = new Adam(g)) });
      const c0 = stepCompilerFor('tensorflow')!.stats().compiledSteps;
      const val: BatchSource = { ...source, numBatches: 2, async *epoch() { for (let i = 0; i < 2; i++) yield { ...batch(100 + i), size: 8 }; } };
      const trainer = new Trainer({ maxEpochs: 2, numSanityValSteps: 0, logEveryNSteps: 3, seed: 3, compile }, { warn: () => {} });
      const r = await trainer.fit(module, source, val);
      const predicted = await trainer.predict(module, val);
      const preds = predicted.dataSync().slice();
      predicted.dispose();
      const weights = m.weights.map((w) => w.read().dataSync().slice());
      opt?.dispose();
      m.dispose();
      return { weights, preds, valLoss: r.logs.val_loss!, compiled: stepCompilerFor('tensorflow')!.stats().compiledSteps - c0 };
    };
    const eager = await run(false);
    const compiled = await run(true);
    expect(eager.compiled).toBe(0);
    expect(compiled.compiled).toBeGreaterThanOrEqual(8);
    expect(maxRelDiff(compiled.weights, eager.weights)).toBeLessThan(1e-5);
    expect(Math.abs(compiled.valLoss - eager.valLoss) / eager.valLoss).toBeLessThan(1e-5);
    expect(maxRelDiff([compiled.preds], [eager.preds])).toBeLessThan(1e-5);
  });
});
