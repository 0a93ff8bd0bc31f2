import * as tf from '@tensorflow/tfjs-core';
import type { Batch, Rng } from '@kiln/core-trainer';
import { requireOption } from '../internal/check.js';

/** A mixed batch: float (soft) targets, the mixing weight of the original samples and the partner order. */
export interface MixedBatch extends Batch {
  /** Weight of each sample's own target: y = λ·y + (1 − λ)·y[permutation]. */
  readonly lambda: number;
  readonly permutation: readonly number[];
}

function gamma(shape: number, rng: Rng): number {
  if (shape < 1) return gamma(shape + 1, rng) * Math.pow(1 - rng.float(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do { x = rng.normal(); v = 1 + c * x; } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.float();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * A Beta(a, b) draw (Marsaglia–Tsang gamma variates).
 * @example sampleBeta(0.4, 0.4, new Rng(1))
 */
export function sampleBeta(a: number, b: number, rng: Rng): number {
  const x = gamma(a, rng);
  const y = gamma(b, rng);
  return x / (x + y);
}

/** Float targets: int32 class indices become one-hot over `numClasses` (last axis); float targets pass through. */
function softTargets(y: tf.Tensor, numClasses?: number): tf.Tensor {
  if (y.dtype === 'float32') return y;
  requireOption(numClasses !== undefined && numClasses >= 2, 'numClasses', 'is needed to one-hot int32 targets for mixup/cutmix.');
  return tf.cast(tf.oneHot(tf.cast(y, 'int32'), numClasses!), 'float32');
}

function draw(batch: Batch, alpha: number, rng: Rng): { lambda: number; permutation: number[] } {
  requireOption(alpha > 0, 'alpha', `must be > 0 (got ${alpha}).`);
  const lambda = sampleBeta(alpha, alpha, rng);
  return { lambda, permutation: rng.shuffle(Array.from({ length: batch.size }, (_, i) => i)) };
}

/**
 * mixup (Zhang et al. 2018): x = λ·x + (1 − λ)·x[perm], y likewise on soft targets, λ ~ Beta(α, α).
 * Because cross-entropy is linear in its target, CE on the soft y equals λ·CE(y) + (1 − λ)·CE(y[perm]).
 * Returns new tensors; the input batch is not disposed. Multi-label targets must not hold −1 ("ignore").
 * @example const m = mixup(batch, 0.4, rng, 10); … tf.dispose([m.x, m.y]);
 */
export function mixup(batch: Batch, alpha: number, rng: Rng, numClasses?: number): MixedBatch {
  const { lambda, permutation } = draw(batch, alpha, rng);
  const [x, y] = tf.tidy(() => {
    const idx = tf.tensor1d(permutation, 'int32');
    const ys = softTargets(batch.y, numClasses);
    return [
      tf.add(tf.mul(batch.x, lambda), tf.mul(tf.gather(batch.x, idx), 1 - lambda)),
      tf.add(tf.mul(ys, lambda), tf.mul(tf.gather(ys, idx), 1 - lambda)),
    ];
  });
  return { x, y, size: batch.size, lambda, permutation };
}

/**
 * CutMix (Yun et al. 2019): a box covering about 1 − λ of the image (λ ~ Beta(α, α)) is pasted
 * from the partner sample; λ is then the exact kept area. Class / multi-label targets are mixed
 * with that λ; spatial targets (masks [N, H, W, …]) get the same box pasted, so they stay exact.
 * Returns new tensors; the input batch is not disposed.
 * @example const m = cutmix(batch, 1.0, rng, 10);
 */
export function cutmix(batch: Batch, alpha: number, rng: Rng, numClasses?: number): MixedBatch {
  const { lambda: l0, permutation } = draw(batch, alpha, rng);
  const [, H, W] = batch.x.shape;
  const cut = Math.sqrt(1 - l0);
  const cw = Math.floor(W * cut);
  const ch = Math.floor(H * cut);
  const cx = rng.int(W);
  const cy = rng.int(H);
  const x0 = Math.max(0, cx - Math.floor(cw / 2)), x1 = Math.min(W, cx + Math.ceil(cw / 2));
  const y0 = Math.max(0, cy - Math.floor(ch / 2)), y1 = Math.min(H, cy + Math.ceil(ch / 2));
  const lambda = 1 - ((x1 - x0) * (y1 - y0)) / (W * H);
  const box = new Float32Array(H * W);
  for (let y = y0; y < y1; y++) box.fill(1, y * W + x0, y * W + x1);
  const [x, y] = tf.tidy(() => {
    const idx = tf.tensor1d(permutation, 'int32');
    const m = tf.tensor4d(box, [1, H, W, 1]);
    const paste = (t: tf.Tensor, mask: tf.Tensor): tf.Tensor => tf.add(tf.mul(t, tf.sub(1, mask)), tf.mul(tf.gather(t, idx), mask));
    const ys = softTargets(batch.y, numClasses);
    const spatial = ys.rank >= 3 && ys.shape[1] === H && ys.shape[2] === W;
    const ymix = spatial
      ? paste(ys, ys.rank === 4 ? m : tf.reshape(m, [1, H, W]))
      : tf.add(tf.mul(ys, lambda), tf.mul(tf.gather(ys, idx), 1 - lambda));
    return [paste(batch.x, m), ymix];
  });
  return { x, y, size: batch.size, lambda, permutation };
}
