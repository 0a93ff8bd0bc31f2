import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs's gradient functions
import { beforeAll, describe, expect, it } from 'vitest';
import { on, randomValues, relError, setupBackends } from '../../test-utils/compare.js';

// Tolerance: max |wasm - cpu| / max |cpu| <= 1e-5 for every replaced kernel.
const TOL = 1e-5;
beforeAll(setupBackends);

const t = (shape: number[], seed: number) => tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), shape);

async function same(name: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const a = await on('wasm', fn), b = await on('cpu', fn);
  expect(a.length, name).toBe(b.length);
  a.forEach((v, i) => expect(relError(v, b[i]), `${name} output ${i}`).toBeLessThanOrEqual(TOL));
}

describe('replaced wasm kernels match cpu', () => {
  it('Tile: broadcast rows, inner and mixed repeats, int32', async () => {
    await same('tile [1,1,1,C]', () => tf.tile(t([1, 1, 1, 5], 1), [2, 3, 4, 1]));
    await same('tile mixed', () => tf.tile(t([2, 1, 3], 2), [2, 4, 3]));
    await same('tile int32', () => tf.cast(tf.tile(tf.tensor1d([1, 2, 3], 'int32'), [3]), 'float32'));
  });

  it('Sum / Mean over leading, middle and all-but-last axes (keepDims both ways); other reductions fall back', async () => {
    const x = () => t([3, 4, 5, 6], 3);
    await same('sum 0,1,2', () => tf.sum(x(), [0, 1, 2]));
    await same('mean 1,2 keepDims', () => tf.mean(x(), [1, 2], true));
    await same('sum 0', () => tf.sum(x(), 0));
    await same('mean 1', () => tf.mean(x(), 1));
    await same('sum 0,2 (non-contiguous)', () => tf.sum(x(), [0, 2]));
    await same('sum all', () => tf.sum(x()));
    await same('mean last', () => tf.mean(x(), -1));
  });

  it('BatchMatMul: transposed operands, shared and per-batch matrices', async () => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      await same(`2-D ${ta}/${tb}`, () => tf.matMul(t(ta ? [40, 30] : [30, 40], 4), t(tb ? [50, 40] : [40, 50], 5), ta, tb));
      await same(`batched ${ta}/${tb}`, () => tf.matMul(t(ta ? [3, 40, 30] : [3, 30, 40], 6), t(tb ? [3, 50, 40] : [3, 40, 50], 7), ta, tb));
      await same(`shared b ${ta}/${tb}`, () => tf.matMul(t(ta ? [4, 40, 30] : [4, 30, 40], 8), t(tb ? [50, 40] : [40, 50], 9), ta, tb));
    }
  });

  it('MaxPoolGrad: sizes 2 and 3, strides 1 and 2, same and valid, ties', async () => {
    for (const [k, s, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same'], [2, 1, 'valid']] as const) {
      await same(`maxpool grad ${k}/${s}/${pad}`, () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, k, s, pad), t([2, Math.ceil((pad === 'same' ? 9 : 9 - k + 1) / s), Math.ceil((pad === 'same' ? 8 : 8 - k + 1) / s), 3], 10))))(t([2, 9, 8, 3], 11)));
    }
    await same('maxpool grad with ties', () => tf.grad((x: tf.Tensor) => tf.sum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')))(tf.ones([1, 4, 4, 2])));
    // 2×2 stride 2 over even sizes (the tiled fast path), valid and same, with NaN and −∞ windows.
    for (const pad of ['valid', 'same'] as const) {
      await same(`maxpool grad 2/2/${pad} even`, () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, 2, 2, pad), t([2, 4, 5, 3], 19))))(t([2, 8, 10, 3], 20)));
    }
    const special = () => tf.tensor4d([NaN, 1, NaN, NaN, -Infinity, -Infinity, 2, 2, 3, NaN, -Infinity, -Infinity, 0, -1, NaN, NaN], [1, 4, 4, 1]);
    await same('maxpool grad 2/2 NaN and -Infinity', () => tf.grad((x: tf.Tensor) => tf.sum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')))(special()));
  });

  it('Slice, SplitV, Concat, Identity, Cast', async () => {
    const x = () => t([4, 5, 6, 7], 12);
    await same('slice inner', () => tf.slice(x(), [1, 0, 2, 3], [2, -1, 3, 4]));
    await same('slice outer', () => tf.slice(x(), [1, 0, 0, 0], [2, -1, -1, -1]));
    await same('split channels', () => tf.split(x(), [3, 4], 3));
    await same('split rows', () => tf.split(x(), 2, 0));
    await same('concat channels', () => tf.concat([x(), t([4, 5, 6, 2], 13)], 3));
    await same('concat middle', () => tf.concat([x(), t([4, 2, 6, 7], 14), x()], 1));
    await same('identity', () => tf.clone(x()));
    await same('cast float32 to float32, and to int32', () => [tf.cast(x(), 'float32'), tf.cast(tf.cast(tf.mul(x(), 10), 'int32'), 'float32')]);
  });

  it('gradients of batch norm (moments + FusedBatchNorm), mean and sum on wasm match cpu', async () => {
    const gamma = t([6], 15), beta = t([6], 16), x = t([3, 4, 5, 6], 17), dy = t([3, 4, 5, 6], 18);
    const bn = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, [0, 1, 2]);
      return tf.sum(tf.mul(tf.batchNorm(xx, mean, variance, b, g, 1e-3), dy));
    };
    await same('batch norm grads', () => tf.grads(bn)([x, gamma, beta]));
    await same('mean/sum grads', () => tf.grads((a: tf.Tensor) => tf.add(tf.sum(tf.mul(tf.mean(a, [0, 2], true), 3)), tf.sum(tf.square(tf.sum(a, 1)))))([x]));
  });
});
