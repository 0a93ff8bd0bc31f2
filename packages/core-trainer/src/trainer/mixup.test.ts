// Mixup / CutMix against first-principles references written here (the formulas of the mixup paper's
// and clovaai/CutMix-PyTorch's training code): mixed inputs exact or within float32 rounding (1e-6),
// losses within 1e-6 relative (float32 tfjs vs float64 JS reference).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../contracts/dataset.js';
import type { Loss } from '../contracts/loss.js';
import { isKilnError } from '../errors.js';
import { Sgd } from '../optim/sgd.js';
import { Rng } from '../rng.js';
import { sampleBeta } from './beta.js';
import { type MixedBatch, cutBox, mixBatch } from './mixup.js';
import { SupervisedModule } from './supervised-module.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rand = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal());
const close = (a: number, b: number, rel = 1e-6) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));

/** Softmax classifier on flattened HWC images: p = softmax(flatten(x)·W + b). */
function imageModule(shape: [number, number, number], classes: number, loss: Loss, extra: Partial<ConstructorParameters<typeof SupervisedModule>[0]> = {}) {
  const model = tfl.sequential({ layers: [
    tfl.layers.flatten({ inputShape: shape }),
    tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
  ] });
  return new SupervisedModule({ model, loss, lr: 0.1, optimizer: (g) => new Sgd(g), ...extra });
}
const sparseCe = (classes: number): Loss => ({ name: 'ce', compute: (y, p) => tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(y as tf.Tensor1D, classes), tf.log(p)), -1))) });
const denseCe: Loss = { name: 'ce', compute: (y, p) => tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(p)), -1))) };
const bce: Loss = { name: 'bce', compute: (y, p) => tf.mean(tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) };

describe('sampleBeta', () => {
  // Kolmogorov–Smirnov against closed-form CDFs of Beta(a, a); 1.63/√n is the 1% critical value. Seeded: never flaky.
  const cdfs: [number, (x: number) => number][] = [
    [0.5, (x) => (2 / Math.PI) * Math.asin(Math.sqrt(x))], [1, (x) => x], [2, (x) => 3 * x * x - 2 * x * x * x],
  ];
  it.each(cdfs)('Beta(%s, %s) draws follow the exact CDF (KS test, n = 4000)', (a, cdf) => {
    const rng = new Rng(11);
    const xs = Array.from({ length: 4000 }, () => sampleBeta(rng, a, a)).sort((p, q) => p - q);
    const d = Math.max(...xs.map((x, i) => Math.max((i + 1) / xs.length - cdf(x), cdf(x) - i / xs.length)));
    expect(d).toBeLessThan(1.63 / Math.sqrt(xs.length));
  });

  it('small alpha stays finite with the right mean and variance (1/(4(2α+1)))', () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 20000 }, () => sampleBeta(rng, 0.1, 0.1));
    expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.015);
    expect(Math.abs(variance - 1 / (4 * 1.2))).toBeLessThan(0.01);
  });
});

describe('cutBox (rand_bbox of CutMix-PyTorch)', () => {
  it('matches hand-computed boxes, clipped at the borders', () => {
    // λ = 0.64: side ⌊10·0.6⌋ = 6, half 3, centre (1, 5) → rows [0, 4), columns [2, 8).
    expect(cutBox(10, 10, 0.64, 1, 5)).toEqual({ y1: 0, y2: 4, x1: 2, x2: 8 });
    // λ = 0.5, H 10, W 8: sides ⌊7.07⌋ = 7 and ⌊5.66⌋ = 5, halves 3 and 2, centre (9, 7) → rows [6, 10), columns [5, 8).
    expect(cutBox(10, 8, 0.5, 9, 7)).toEqual({ y1: 6, y2: 10, x1: 5, x2: 8 });
    expect(cutBox(4, 4, 1, 2, 2)).toEqual({ y1: 2, y2: 2, x1: 2, x2: 2 }); // λ = 1: empty box
  });
});

describe('mixBatch and the mixed loss', () => {
  function batchOf(rng: Rng, n: number, shape: number[], y: tf.Tensor): Batch {
    return { x: tf.tensor(rand(rng, n * shape.reduce((a, b) => a * b, 1)), [n, ...shape]), y, size: n };
  }

  it('mixup on class indices: x̃ = λx + (1−λ)x[perm], loss = λ·CE(y) + (1−λ)·CE(y[perm])', async () => {
    const labels = [0, 2, 1, 2, 0, 1];
    const batch = batchOf(new Rng(1), 6, [2, 2, 1], tf.tensor1d(labels, 'int32'));
    const module = imageModule([2, 2, 1], 3, sparseCe(3), { mixup: { alpha: 0.4, mode: 'mixup' } });
    const mixed = module.prepareTrainBatch(batch, new Rng(5)) as MixedBatch;
    const { lambda, perm } = mixed.mix!;
    expect(lambda).toBeGreaterThan(0);
    expect(lambda).toBeLessThan(1);
    expect([...perm].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const [x, xm] = [await batch.x.data(), await mixed.x.data()];
    for (let i = 0; i < 6; i++) for (let k = 0; k < 4; k++) close(xm[i * 4 + k], lambda * x[i * 4 + k] + (1 - lambda) * x[perm[i] * 4 + k]);
    // Same key, same draw (what exact resume relies on).
    const again = module.prepareTrainBatch(batch, new Rng(5)) as MixedBatch;
    expect([again.mix!.lambda, again.mix!.perm]).toEqual([lambda, perm]);

    const p = (await (module.model.predict(mixed.x) as tf.Tensor).data()) as Float32Array;
    const ce = (i: number, c: number) => -Math.log(p[i * 3 + c]);
    let ref = 0;
    for (let i = 0; i < 6; i++) ref += (lambda * ce(i, labels[i]) + (1 - lambda) * ce(i, labels[perm[i]])) / 6;
    close((await module.trainingStep(mixed).data())[0], ref);
    tf.dispose([batch.x, batch.y, mixed.x, mixed.mix!.yB!, again.x, again.mix!.yB!]);
  });

  it('one-hot and multi-label targets: equal to the loss of the mixed targets λy + (1−λ)y[perm] for CE and BCE', async () => {
    const rng = new Rng(2);
    const oneHot = tf.oneHot(tf.tensor1d([1, 0, 2, 2, 1], 'int32'), 3).toFloat();
    for (const [loss, y] of [[denseCe, oneHot], [bce, tf.tensor2d([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0], [1, 0, 0]])]] as const) {
      const batch = batchOf(rng, 5, [2, 2, 1], y);
      const module = imageModule([2, 2, 1], 3, loss, { mixup: { alpha: 1, mode: 'mixup' } });
      const mixed = module.prepareTrainBatch(batch, new Rng(9)) as MixedBatch;
      const { lambda, perm } = mixed.mix!;
      const p = (await (module.model.predict(mixed.x) as tf.Tensor).data()) as Float32Array;
      const t = (await y.data()) as Float32Array;
      let ref = 0;
      for (let i = 0; i < 5; i++) {
        for (let c = 0; c < 3; c++) {
          const target = lambda * t[i * 3 + c] + (1 - lambda) * t[perm[i] * 3 + c];
          const q = p[i * 3 + c];
          ref += loss === bce ? -(target * Math.log(q) + (1 - target) * Math.log(1 - q)) / 15 : -target * Math.log(q) / 5;
        }
      }
      close((await module.trainingStep(mixed).data())[0], ref);
      tf.dispose([batch.x, mixed.x, mixed.mix!.yB!]);
    }
    oneHot.dispose();
  });

  it('cutmix on images: the box pasted from the partner, λ = 1 − box area / image area, loss weighted by it', async () => {
    const [n, h, w, c] = [4, 6, 5, 2];
    const labels = [1, 0, 1, 0];
    const batch = batchOf(new Rng(4), n, [h, w, c], tf.tensor1d(labels, 'int32'));
    const module = imageModule([h, w, c], 2, sparseCe(2), { mixup: { alpha: 1, mode: 'cutmix' } });
    const mixed = module.prepareTrainBatch(batch, new Rng(8)) as MixedBatch;
    const { lambda, perm, box, kind } = mixed.mix!;
    expect(kind).toBe('cutmix');
    expect(lambda).toBe(1 - ((box!.y2 - box!.y1) * (box!.x2 - box!.x1)) / (h * w));
    const [x, xm] = [await batch.x.data(), await mixed.x.data()];
    for (let i = 0; i < n; i++) for (let r = 0; r < h; r++) for (let q = 0; q < w; q++) for (let k = 0; k < c; k++) {
      const inside = r >= box!.y1 && r < box!.y2 && q >= box!.x1 && q < box!.x2;
      expect(xm[((i * h + r) * w + q) * c + k]).toBe(x[(((inside ? perm[i] : i) * h + r) * w + q) * c + k]);
    }
    const p = (await (module.model.predict(mixed.x) as tf.Tensor).data()) as Float32Array;
    let ref = 0;
    for (let i = 0; i < n; i++) ref += (-lambda * Math.log(p[i * 2 + labels[i]]) - (1 - lambda) * Math.log(p[i * 2 + labels[perm[i]]])) / n;
    close((await module.trainingStep(mixed).data())[0], ref);
    tf.dispose([batch.x, batch.y, mixed.x, mixed.mix!.yB!]);
  });

  it('cutmix on segmentation masks cuts the masks by the same box; the loss is the plain loss of the mixed masks', async () => {
    for (const maskShape of [[4, 4, 1], [4, 4]]) {
      const rng = new Rng(6);
      const y = tf.tensor(Float32Array.from({ length: 3 * 16 }, () => (rng.float() < 0.5 ? 1 : 0)), [3, ...maskShape]);
      const batch = batchOf(rng, 3, [4, 4, 1], y);
      const mixed = mixBatch(batch, new Rng(1), { alpha: 1, mode: 'cutmix' });
      const { perm, box, yB } = mixed.mix!;
      expect(yB).toBeUndefined();
      expect(mixed.y.shape).toEqual(y.shape);
      const [m, mm] = [await y.data(), await mixed.y.data()];
      for (let i = 0; i < 3; i++) for (let r = 0; r < 4; r++) for (let q = 0; q < 4; q++) {
        const inside = r >= box!.y1 && r < box!.y2 && q >= box!.x1 && q < box!.x2;
        expect(mm[i * 16 + r * 4 + q]).toBe(m[(inside ? perm[i] : i) * 16 + r * 4 + q]);
      }
      tf.dispose([batch.x, y, mixed.x, mixed.y]);
    }
  });

  it('rejects mixup of masks, cutmix of non-images and bad options with coded errors', () => {
    const masks: Batch = { x: tf.zeros([2, 4, 4, 1]), y: tf.zeros([2, 4, 4, 1]), size: 2 };
    const flat: Batch = { x: tf.zeros([2, 4]), y: tf.tensor1d([0, 1], 'int32'), size: 2 };
    for (const mode of ['mixup', 'both'] as const) {
      expect(() => mixBatch(masks, new Rng(0), { alpha: 1, mode })).toThrow(expect.objectContaining({ code: 'KILN_TRAINER_MIXUP_UNSUPPORTED', message: expect.stringMatching(/use mode 'cutmix'/) }));
    }
    expect(() => mixBatch(flat, new Rng(0), { alpha: 1, mode: 'cutmix' })).toThrow(expect.objectContaining({ code: 'KILN_TRAINER_MIXUP_UNSUPPORTED' }));
    const odd: Batch = { x: tf.zeros([2, 4, 4, 1]), y: tf.zeros([2, 8, 8, 1]), size: 2 };
    expect(() => mixBatch(odd, new Rng(0), { alpha: 1, mode: 'cutmix' })).toThrow(/masks of the images' size/);
    for (const bad of [{ alpha: 0, mode: 'mixup' }, { alpha: 1, mode: 'cutout' }, { alpha: 1, mode: 'mixup', prob: 1.5 }]) {
      expect(() => imageModule([4, 4, 1], 2, sparseCe(2), { mixup: bad as never }))
        .toThrow(expect.objectContaining({ code: 'KILN_TRAINER_INVALID_OPTION', message: expect.stringMatching(/mixup\.(alpha|mode|prob)/) }));
    }
    tf.dispose([masks.x, masks.y, flat.x, flat.y, odd.x, odd.y]);
  });

  it('prob and mode both: the batch is left alone with probability 1 − prob, and both kinds occur', () => {
    const batch: Batch = { x: tf.zeros([2, 4, 4, 1]), y: tf.tensor1d([0, 1], 'int32'), size: 2 };
    expect(mixBatch(batch, new Rng(0), { alpha: 1, mode: 'mixup', prob: 0 })).toBe(batch);
    const kinds = { none: 0, mixup: 0, cutmix: 0 };
    for (let i = 0; i < 400; i++) {
      const m = mixBatch(batch, new Rng(0).fork(i), { alpha: 1, mode: 'both', prob: 0.5 });
      kinds[m.mix?.kind ?? 'none'] += 1;
      if (m !== batch) tf.dispose([m.x, m.mix!.yB!]);
    }
    for (const k of Object.values(kinds)) expect(k).toBeGreaterThan(70); // expected 200 / 100 / 100
    expect(kinds.none).toBeGreaterThan(160);
    expect(kinds.none).toBeLessThan(240);
    tf.dispose([batch.x, batch.y]);
  });
});

describe('mixup in the Trainer step', () => {
  it('one SGD step equals W − lr·∇[λ·CE(y) + (1−λ)·CE(y[perm])] at the mixed inputs (within 1e-6)', async () => {
    const rng = new Rng(21);
    const labels = [0, 1, 1, 0, 1, 0, 0, 1];
    const xs = rand(rng, 8 * 3 * 3);
    const source = { spec: { inputShape: [3, 3, 1], task: 'classification', numClasses: 2, targetShape: [], targetDtype: 'int32' } as const, batchSize: 8, numBatches: 1,
      async *epoch() { yield { x: tf.tensor4d(xs, [8, 3, 3, 1]), y: tf.tensor1d(labels, 'int32'), size: 8 }; } };
    let seen: MixedBatch['mix'];
    class Recording extends SupervisedModule {
      override prepareTrainBatch(batch: Batch, r: Rng): Batch {
        const out = super.prepareTrainBatch(batch, r) as MixedBatch;
        seen = out.mix;
        return out;
      }
    }
    const ref = imageModule([3, 3, 1], 2, sparseCe(2));
    const module = new Recording({ model: ref.model, loss: sparseCe(2), lr: 0.1, optimizer: (g) => new Sgd(g), mixup: { alpha: 0.7, mode: 'both' } });
    const [w0, b0] = ref.model.getWeights().map((t) => t.clone());
    await new Trainer({ maxEpochs: 1, numSanityValSteps: 0, seed: 3 }).fit(module, source);
    const { lambda, perm, box } = seen!;
    // Reference: mixed inputs built from the recorded draw with plain loops, gradient by tf.grads of the raw formula.
    const mixedX = new Float32Array(xs.length);
    for (let i = 0; i < 8; i++) for (let k = 0; k < 9; k++) {
      const [r, q] = [Math.floor(k / 3), k % 3];
      const inside = box !== undefined && r >= box.y1 && r < box.y2 && q >= box.x1 && q < box.x2;
      mixedX[i * 9 + k] = box ? xs[(inside ? perm[i] : i) * 9 + k] : lambda * xs[i * 9 + k] + (1 - lambda) * xs[perm[i] * 9 + k];
    }
    const x = tf.tensor2d(mixedX, [8, 9]);
    const ce = (logp: tf.Tensor, ys: number[]) => tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(tf.tensor1d(ys, 'int32'), 2), logp), -1)));
    const [gw, gb] = tf.grads((w: tf.Tensor, b: tf.Tensor) => {
      const logp = tf.log(tf.softmax(tf.add(tf.matMul(x, w as tf.Tensor2D), b)));
      return tf.add(tf.mul(ce(logp, labels), lambda), tf.mul(ce(logp, perm.map((j) => labels[j])), 1 - lambda));
    })([w0, b0]);
    const [w1, b1] = module.model.getWeights();
    for (const [got, start, g] of [[w1, w0, gw], [b1, b0, gb]] as const) {
      const [a, s, d] = [await got.data(), await start.data(), await g.data()];
      a.forEach((v, i) => close(v, s[i] - 0.1 * d[i]));
    }
    expect(Math.abs((await w1.data())[0] - (await w0.data())[0])).toBeGreaterThan(0); // a step was taken
    tf.dispose([w0, b0, x, gw, gb]);
  });
});
