import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LayerStatistics } from './layer-statistics.js';
import { fakeRun } from './test-utils/context.js';
import { cpu, moduleOf, tinyModel } from './test-utils/model.js';

beforeAll(cpu);

/** Reference: population mean/std, max |x| and L2 norm of plain numbers. */
function ref(xs: number[]) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, std, max: Math.max(...xs.map(Math.abs)), norm: Math.sqrt(xs.reduce((a, b) => a + b * b, 0)) };
}

describe('LayerStatistics', () => {
  it('reports mean/std/max of every weight and gradient and the global gradient norm every N steps', async () => {
    const model = tinyModel();
    const ws = model.getWeights().map((w, i) => tf.tensor(Array.from({ length: w.size }, (_, j) => Math.sin(i * 10 + j) * (i + 1)), w.shape));
    model.setWeights(ws);
    tf.dispose(ws);
    const x = tf.tensor2d([[1, -2, 3, 0.5], [0.1, 0.2, -0.3, 4]]);
    const { grads, value } = tf.variableGrads(() => tf.mean(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar);
    const stats = new LayerStatistics({ everyNSteps: 5 });
    const run = fakeRun({ module: moduleOf(model) });
    const before = tf.memory().numTensors;
    for (let step = 0; step < 10; step++) {
      run.state = { epoch: 0, globalStep: step, batchInEpoch: step };
      stats.onBeforeOptimizerStep({ ...run.ctx(), grads } as never);
      run.state = { epoch: 0, globalStep: step + 1, batchInEpoch: step + 1 };
      await stats.onBatchEnd(run.ctx());
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(stats.records.map((r) => r.step)).toEqual([5, 10]);
    const v = stats.records[1].values;
    let sq = 0;
    for (const w of model.weights) {
      const r = ref(Array.from(w.read().dataSync()));
      const name = w.originalName;
      expect(v[`weights/${name}/mean`]).toBeCloseTo(r.mean, 5); // float32 sums: 1e-5
      expect(v[`weights/${name}/std`]).toBeCloseTo(r.std, 5);
      expect(v[`weights/${name}/max`]).toBeCloseTo(r.max, 6);
      const g = ref(Array.from(grads[w.name].dataSync()));
      expect(v[`grads/${w.name}/norm`]).toBeCloseTo(g.norm, 5);
      expect(v[`grads/${w.name}/mean`]).toBeCloseTo(g.mean, 5);
      sq += g.norm ** 2;
    }
    expect(v.grad_norm).toBeCloseTo(Math.sqrt(sq), 5);
    tf.dispose([x, value, ...Object.values(grads)]);
  });

  it('reports weights only, warning once, when the trainer passes no gradients', async () => {
    const warnings: string[] = [];
    const stats = new LayerStatistics({ everyNSteps: 1, warn: (m) => warnings.push(m) });
    const run = fakeRun({ module: moduleOf(tinyModel()) });
    for (let step = 1; step <= 3; step++) {
      run.state = { epoch: 0, globalStep: step, batchInEpoch: step };
      await stats.onBatchEnd(run.ctx());
    }
    expect(stats.records).toHaveLength(3);
    expect(Object.keys(stats.records[0].values).every((k) => k.startsWith('weights/'))).toBe(true);
    expect(warnings).toHaveLength(1);
  });
});
