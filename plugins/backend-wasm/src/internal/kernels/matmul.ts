import * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs } from './util.js';

/**
 * BatchMatMul on XNNPACK's fast path only. Stock wasm uses XNNPACK for one un-transposed 2-D
 * product and a naive loop for everything else (≈15–20× slower): here transposed operands are
 * transposed explicitly, a batch against one shared matrix becomes one tall 2-D product, and
 * other batches loop over 2-D products. Tiny products keep the stock kernel.
 */
export const makeBatchMatMul = (stock: tf.KernelFunc): tf.KernelFunc => (args: KernelArgs) => {
  const a = args.inputs['a']!, b = args.inputs['b']!;
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const ra = a.shape.length, rb = b.shape.length;
  const batchA = a.shape.slice(0, -2).reduce((p, d) => p * d, 1), batchB = b.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2], k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batch = Math.max(batchA, batchB);
  const plain = !transposeA && !transposeB && batch === 1;
  const sameOrShared = batchA === batchB || batchB === 1 || batchA === 1;
  if (plain || !sameOrShared || a.dtype !== 'float32' || m * n * k * batch < 32768) return stock(args);
  const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
  return tf.tidy(() => {
    const swap = (t: tf.TensorInfo, r: number, c: number, flip: boolean, batches: number) => {
      const t3 = tf.reshape(t as tf.Tensor, [batches, ...(flip ? [c, r] : [r, c])]);
      return flip ? tf.transpose(t3, [0, 2, 1]) : t3;
    };
    const a3 = swap(a, m, k, transposeA, batchA), b3 = swap(b, k, n, transposeB, batchB);
    let out: tf.Tensor;
    if (batchB === 1) {
      out = tf.matMul(tf.reshape(a3, [batchA * m, k]), tf.reshape(b3, [k, n]));
    } else {
      const rows: tf.Tensor2D[] = [];
      for (let i = 0; i < batch; i++) {
        const ai = tf.reshape(tf.slice(a3, [batchA === 1 ? 0 : i, 0, 0], [1, m, k]), [m, k]);
        rows.push(tf.matMul(ai, tf.reshape(tf.slice(b3, [i, 0, 0], [1, k, n]), [k, n])));
      }
      out = tf.stack(rows);
    }
    return tf.reshape(out, outShape);
  });
};
