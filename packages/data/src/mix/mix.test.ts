import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@kiln/core-trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { cutmix, mixup, sampleBeta } from './mix.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

/** Mean softmax cross-entropy of logits against (soft) targets, per sample. */
const ce = (logits: tf.Tensor, target: tf.Tensor): tf.Tensor => tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), -1));

describe('mixup / cutmix', () => {
  it('Beta draws have the right mean and variance (α = 0.4: mean 0.5, var 1/7.2)', () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 20000 }, () => sampleBeta(0.4, 0.4, rng));
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
    expect(Math.abs(m - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(v - 1 / 7.2)).toBeLessThan(0.005);
    const b = Array.from({ length: 20000 }, () => sampleBeta(2, 5, rng)).reduce((a, c) => a + c, 0) / 20000;
    expect(Math.abs(b - 2 / 7)).toBeLessThan(0.005);
  });

  it('mixup: soft targets make CE equal λ·CE(y) + (1 − λ)·CE(y[perm]), and x is mixed with the same λ', async () => {
    const x = tf.randomUniform([6, 4, 4, 3], 0, 1, 'float32', 1);
    const y = tf.tensor1d([0, 1, 2, 3, 4, 1], 'int32');
    const before = tf.memory().numTensors;
    const m = mixup({ x, y, size: 6 }, 0.4, new Rng(5), 5);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(m.y.shape).toEqual([6, 5]);
    const logits = tf.randomNormal([6, 5], 0, 1, 'float32', 2);
    const perm = tf.tensor1d(m.permutation as number[], 'int32');
    const hard = tf.oneHot(y, 5);
    const expected = tf.add(tf.mul(ce(logits, hard), m.lambda), tf.mul(ce(logits, tf.gather(hard, perm)), 1 - m.lambda));
    const got = await ce(logits, m.y).data();
    (await expected.data()).forEach((v, i) => expect(Math.abs(v - got[i])).toBeLessThan(1e-5));
    const xExp = await tf.add(tf.mul(x, m.lambda), tf.mul(tf.gather(x, perm), 1 - m.lambda)).data();
    const xGot = await m.x.data();
    xExp.forEach((v, i) => expect(Math.abs(v - xGot[i])).toBeLessThan(1e-6));
  });

  it('cutmix pastes one box into x and masks; class targets use the exact kept area as λ', async () => {
    const n = 4, s = 8;
    const x = tf.tensor4d(Float32Array.from({ length: n * s * s }, (_, i) => Math.floor(i / (s * s))), [n, s, s, 1]);
    const masks = tf.tensor3d(Int32Array.from({ length: n * s * s }, (_, i) => Math.floor(i / (s * s)) % 3), [n, s, s], 'int32');
    for (let seed = 0; seed < 5; seed++) {
      const m = cutmix({ x, y: masks, size: n }, 1, new Rng(seed), 3);
      expect(m.y.shape).toEqual([n, s, s, 3]);
      const xv = await m.x.data();
      const own = Array.from(xv.slice(0, s * s)).filter((v) => v === 0).length;
      expect(own / (s * s)).toBeCloseTo(m.permutation[0] === 0 ? 1 : m.lambda, 6);
      const yv = await tf.argMax(m.y, -1).data();
      for (let p = 0; p < n * s * s; p++) expect(yv[p]).toBe(xv[p] % 3); // mask pixels follow the pasted image pixels
      tf.dispose([m.x, m.y]);
    }
    const c = cutmix({ x, y: tf.tensor1d([0, 1, 2, 0], 'int32'), size: n }, 1, new Rng(9), 3);
    const rows = await c.y.array() as number[][];
    rows.forEach((r) => expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6));
    expect(rows[0][0]).toBeGreaterThanOrEqual(c.lambda - 1e-6);
    expect(() => mixup({ x, y: tf.tensor1d([0, 1, 2, 0], 'int32'), size: n }, 0.4, new Rng(1))).toThrow(/numClasses/);
  });
});
