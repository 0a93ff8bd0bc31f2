import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, type AdamOptions } from './adam.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SHAPES = [[3, 3, 2, 4], [4], [5, 2], [1]];

let seq = 0;
/** Fresh variables with the same seeded values each call. */
function makeVars(): tf.Variable[] {
  seq += 1;
  return SHAPES.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', 100 + i), true, `fused-${seq}-${i}`));
}

/** Seeded gradients for step `k` (seeds from 1: tfjs treats seed 0 as "unseeded"); `skip` leaves one variable without a gradient. */
function gradsFor(vars: tf.Variable[], k: number, skip?: number): Record<string, tf.Tensor> {
  return Object.fromEntries(vars.flatMap((v, i) => (i === skip ? [] : [[v.name, tf.randomNormal(v.shape, 0, 1, 'float32', 1000 * k + i + 1)]])));
}

/** One group over all variables: the fused path. */
const fusedAdam = (vars: tf.Variable[], o: AdamOptions, wd: number) => new Adam([{ name: 'all', variables: vars, lr: 0.01, weightDecay: wd }], o);
/** One group per variable: every update takes the per-variable path. */
const perVariableAdam = (vars: tf.Variable[], o: AdamOptions, wd: number) =>
  new Adam(vars.map((v, i) => ({ name: `g${i}`, variables: [v], lr: 0.01, weightDecay: wd })), o);

/** The float32 bit patterns (copied first: a variable's data can be a view into a larger buffer). */
const bits = (vars: tf.Variable[]) => vars.map((v) => Array.from(new Uint32Array(Float32Array.from(v.dataSync()).buffer)));

describe('Adam fused path (one flat update per group)', () => {
  for (const [label, options, wd] of [['Adam', {}, 0], ['Adam + L2', {}, 0.1], ['AdamW', { decoupled: true }, 0.1]] as const) {
    it(`${label}: bit-identical to per-variable updates, also when a variable misses a gradient for a step`, () => {
      const a = makeVars();
      const b = makeVars();
      const fused = fusedAdam(a, options, wd);
      const plain = perVariableAdam(b, options, wd);
      // Step 3 leaves variable 1 out: its count stops, so steps differ and the fused group falls back
      // to per-variable updates (and back to flat slots is never needed: counts stay unequal).
      for (let k = 0; k < 6; k++) {
        const skip = k === 3 ? 1 : undefined;
        for (const [opt, vars] of [[fused, a], [plain, b]] as const) {
          const g = gradsFor(vars, k, skip);
          opt.applyGradients(g);
          tf.dispose(Object.values(g));
        }
        expect(bits(a), `step ${k}`).toEqual(bits(b));
      }
      fused.dispose();
      plain.dispose();
      tf.dispose([...a, ...b]);
    });
  }

  it('state saved from flat slots has the per-variable keys and values, and resumes bit-identically', () => {
    const a = makeVars();
    const b = makeVars();
    const fused = fusedAdam(a, {}, 0);
    const plain = perVariableAdam(b, {}, 0);
    for (let k = 0; k < 3; k++) {
      for (const [opt, vars] of [[fused, a], [plain, b]] as const) {
        const g = gradsFor(vars, k);
        opt.applyGradients(g);
        tf.dispose(Object.values(g));
      }
    }
    const state = fused.stateDict();
    expect(Object.keys(state.tensors).sort()).toEqual(['m/0.0', 'm/0.1', 'm/0.2', 'm/0.3', 'v/0.0', 'v/0.1', 'v/0.2', 'v/0.3']);
    const planState = plain.stateDict();
    for (let i = 0; i < SHAPES.length; i++) {
      for (const slot of ['m', 'v']) {
        const mine = state.tensors[`${slot}/0.${i}`]!;
        expect(mine.shape).toEqual(SHAPES[i]);
        expect(Array.from(mine.dataSync())).toEqual(Array.from(planState.tensors[`${slot}/${i}.0`]!.dataSync()));
      }
    }
    // Resume into a new optimizer over new variables holding the same weights; continue both.
    const c = makeVars();
    c.forEach((v, i) => v.assign(a[i]!));
    const resumed = fusedAdam(c, {}, 0);
    resumed.loadStateDict(state);
    for (let k = 3; k < 5; k++) {
      for (const [opt, vars] of [[fused, a], [resumed, c]] as const) {
        const g = gradsFor(vars, k);
        opt.applyGradients(g);
        tf.dispose(Object.values(g));
      }
    }
    expect(bits(c)).toEqual(bits(a));
    tf.dispose([...Object.values(state.tensors), ...Object.values(planState.tensors)]);
    for (const o of [fused, plain, resumed]) o.dispose();
    tf.dispose([...a, ...b, ...c]);
  });

  it('runs a fixed number of kernels per group, not per variable, and keeps the tensor count flat', async () => {
    seq += 1;
    const many = Array.from({ length: 40 }, (_, i) => tf.variable(tf.randomNormal([3, 2], 0, 1, 'float32', i + 1), true, `fused-many-${seq}-${i}`));
    const opt = fusedAdam(many, {}, 0);
    const counts: number[] = [];
    let kernels = 0;
    for (let k = 0; k < 4; k++) {
      const g = gradsFor(many, k);
      const p = await tf.profile(() => opt.applyGradients(g));
      kernels = p.kernels.length;
      tf.dispose(Object.values(g));
      counts.push(tf.memory().numTensors);
    }
    // Per variable Adam runs ~12 kernels: 480 here. Fused: 2 concats, their reshapes, ~12 ops, 1 split and 40 reshapes back.
    expect(kernels).toBeLessThan(4 * 40);
    expect(new Set(counts.slice(1)).size).toBe(1);
    opt.dispose();
    tf.dispose(many);
  });
});
