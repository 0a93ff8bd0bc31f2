// Mixup / CutMix against first-principles references written here (the formulas of the mixup paper's
// and clovaai/CutMix-PyTorch's training code): mixed inputs exact or within float32 rounding (1e-6),
// losses within 1e-6 relative (float32 tfjs vs float64 JS reference).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../contracts/dataset.js';
import { Rng } from '../rng.js';
import { type MixedBatch, cutBox, mixBatch } from './mixup.js';
import { bce, classCe, denseCe, expectClose, imageModule, randn } from './test-utils/mixup-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('cutBox (rand_bbox of CutMix-PyTorch)', () => {
  it('matches hand-computed boxes, clipped at the borders', () => {
    // λ = 0.64: side ⌊10·0.6⌋ = 6, half 3, centre (1, 5) → rows [0, 4), columns [2, 8).
    expect(cutBox(10, 10, 0.64, 1, 5)).toEqual({ y1: 0, y2: 4, x1: 2, x2: 8 });
    // λ = 0.5, H 10, W 8: sides ⌊7.07⌋ = 7 and ⌊5.66⌋ = 5, halves 3 and 2, centre (9, 7) → rows [6, 10), columns [5, 8).
    expect(cutBox(10, 8, 0.5, 9, 7)).toEqual({ y1: 6, y2: 10, x1: 5, x2: 8 });
    // λ = 0.5, H 8, W 10: sides ⌊5.66⌋ = 5 and ⌊7.07⌋ = 7 (truncated, not rounded), halves 2 and 3, centre (4, 5) → rows [2, 6), columns [2, 8).
    expect(cutBox(8, 10, 0.5, 4, 5)).toEqual({ y1: 2, y2: 6, x1: 2, x2: 8 });
    expect(cutBox(4, 4, 1, 2, 2)).toEqual({ y1: 2, y2: 2, x1: 2, x2: 2 }); // λ = 1: empty box
  });
});

describe('mixBatch and the mixed loss', () => {
  function batchOf(rng: Rng, n: number, shape: number[], y: tf.Tensor): Batch {
    return { x: tf.tensor(randn(rng, n * shape.reduce((a, b) => a * b, 1)), [n, ...shape]), y, size: n };
  }

  it('mixup on class indices: x̃ = λx + (1−λ)x[perm], loss = λ·CE(y) + (1−λ)·CE(y[perm])', async () => {
    const labels = [0, 2, 1, 2, 0, 1];
    const batch = batchOf(new Rng(1), 6, [2, 2, 1], tf.tensor1d(labels, 'int32'));
    const module = imageModule([2, 2, 1], 3, classCe(3), { mixup: { alpha: 0.4, mode: 'mixup' } });
    const mixed = module.prepareTrainBatch(batch, new Rng(5)) as MixedBatch;
    const { lambda, perm } = mixed.mix!;
    expect(lambda).toBeGreaterThan(0);
    expect(lambda).toBeLessThan(1);
    expect([...perm].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const [x, xm] = [await batch.x.data(), await mixed.x.data()];
    for (let i = 0; i < 6; i++) for (let k = 0; k < 4; k++) expectClose(xm[i * 4 + k], lambda * x[i * 4 + k] + (1 - lambda) * x[perm[i] * 4 + k]);
    // Same key, same draw (what exact resume relies on).
    const again = module.prepareTrainBatch(batch, new Rng(5)) as MixedBatch;
    expect([again.mix!.lambda, again.mix!.perm]).toEqual([lambda, perm]);

    const p = (await (module.model.predict(mixed.x) as tf.Tensor).data()) as Float32Array;
    const ce = (i: number, c: number) => -Math.log(p[i * 3 + c]);
    let ref = 0;
    for (let i = 0; i < 6; i++) ref += (lambda * ce(i, labels[i]) + (1 - lambda) * ce(i, labels[perm[i]])) / 6;
    expectClose((await module.trainingStep(mixed).data())[0], ref);
    tf.dispose([batch.x, batch.y, mixed.x, mixed.mix!.yB!, again.x, again.mix!.yB!]);
  });

  it('one-hot and multi-label targets: equal to the loss of the mixed targets λy + (1−λ)y[perm] for CE and BCE', async () => {
    const rng = new Rng(2);
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d([1, 0, 2, 2, 1], 'int32'), 3), 'float32');
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
      expectClose((await module.trainingStep(mixed).data())[0], ref);
      tf.dispose([batch.x, mixed.x, mixed.mix!.yB!]);
    }
    oneHot.dispose();
  });

  it('cutmix on images: the box pasted from the partner, λ = 1 − box area / image area, loss weighted by it', async () => {
    const [n, h, w, c] = [4, 6, 5, 2];
    const labels = [1, 0, 1, 0];
    const batch = batchOf(new Rng(4), n, [h, w, c], tf.tensor1d(labels, 'int32'));
    const module = imageModule([h, w, c], 2, classCe(2), { mixup: { alpha: 1, mode: 'cutmix' } });
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
    expectClose((await module.trainingStep(mixed).data())[0], ref);
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
      expect(() => imageModule([4, 4, 1], 2, classCe(2), { mixup: bad as never }))
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
