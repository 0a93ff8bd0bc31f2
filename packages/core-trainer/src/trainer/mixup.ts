import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../contracts/dataset.js';
import { CoreErrorCodes, KilnError } from '../errors.js';
import type { Rng } from '../rng.js';
import { sampleBeta } from './beta.js';
import { TrainerErrorCodes } from './errors.js';

/** Mixup / CutMix for SupervisedModule (`mixup` option). λ ~ Beta(alpha, alpha); `prob` of mixing a batch (default 1); `both` picks CutMix or mixup with probability ½ per batch (timm's `switch_prob`). */
export interface MixupOptions {
  readonly alpha: number;
  readonly mode: 'mixup' | 'cutmix' | 'both';
  readonly prob?: number;
}

/** A CutMix box in pixels, half-open: rows [y1, y2), columns [x1, x2). */
export interface CutBox { readonly y1: number; readonly y2: number; readonly x1: number; readonly x2: number }

/**
 * What a mixed batch carries. `yB` (the partners' targets, `y[perm]`) is set for class-index and
 * one-hot/multi-label targets: the loss is then λ·L(y) + (1−λ)·L(yB). For segmentation masks the
 * batch's `y` already holds the cut-mixed masks and the loss is the plain one.
 */
export interface MixInfo {
  readonly kind: 'mixup' | 'cutmix';
  /** Weight of the batch's own samples: the Beta draw for mixup, 1 − box area / image area for CutMix. */
  readonly lambda: number;
  /** Partner of sample i is sample perm[i]. */
  readonly perm: readonly number[];
  readonly box?: CutBox;
  readonly yB?: tf.Tensor;
}

export type MixedBatch = Batch & { readonly mix?: MixInfo };

/** Validates mixup options (KILN_TRAINER_INVALID_OPTION naming the field). */
export function checkMixupOptions(o: MixupOptions): void {
  const bad = (field: string, value: unknown, range: string) =>
    new KilnError(CoreErrorCodes.TRAINER_INVALID_OPTION, `SupervisedModule option 'mixup.${field}' = ${JSON.stringify(value)} is invalid: it must be ${range}.`);
  if (!(o.alpha > 0) || !Number.isFinite(o.alpha)) throw bad('alpha', o.alpha, 'a finite number > 0');
  if (!['mixup', 'cutmix', 'both'].includes(o.mode)) throw bad('mode', o.mode, "'mixup', 'cutmix' or 'both'");
  if (o.prob !== undefined && !(o.prob >= 0 && o.prob <= 1)) throw bad('prob', o.prob, 'in [0, 1]');
}

/**
 * The CutMix box of the reference implementation (clovaai/CutMix-PyTorch `rand_bbox`): side
 * lengths ⌊H·√(1−λ)⌋ × ⌊W·√(1−λ)⌋ centred at (cy, cx), clipped to the image.
 * @example cutBox(10, 10, 0.64, 1, 5) // { y1: 0, y2: 4, x1: 2, x2: 8 }
 */
export function cutBox(height: number, width: number, lambda: number, cy: number, cx: number): CutBox {
  const rat = Math.sqrt(1 - lambda);
  const ch = Math.floor(height * rat);
  const cw = Math.floor(width * rat);
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return { y1: clip(cy - Math.floor(ch / 2), height), y2: clip(cy + Math.floor(ch / 2), height), x1: clip(cx - Math.floor(cw / 2), width), x2: clip(cx + Math.floor(cw / 2), width) };
}

/**
 * Mixes a training batch (NHWC images, or any rank for mixup) with a permutation of itself.
 * Draws, in order, from `rng`: apply? (when prob < 1), mixup-or-cutmix (mode `both`), λ, the
 * permutation, the box centre. Returns `batch` itself when not applied; otherwise a batch whose
 * new tensors (x, and yB or the mixed y) the caller disposes.
 * @example const mixed = mixBatch(batch, new Rng(0).fork('mixup/0/3'), { alpha: 0.4, mode: 'both' });
 */
export function mixBatch(batch: Batch, rng: Rng, o: MixupOptions): MixedBatch {
  const { x, y } = batch;
  const masks = y.rank >= 3;
  if (masks && o.mode !== 'cutmix') {
    throw new KilnError(TrainerErrorCodes.MIXUP_UNSUPPORTED,
      `mixup.mode '${o.mode}' blends images, but the targets are segmentation masks (shape [${y.shape}]), which cannot be blended: use mode 'cutmix'.`);
  }
  if (o.mode !== 'mixup' && x.rank !== 4) {
    throw new KilnError(TrainerErrorCodes.MIXUP_UNSUPPORTED, `mixup.mode '${o.mode}' cuts boxes out of NHWC images, but the inputs have shape [${x.shape}]: use mode 'mixup'.`);
  }
  if (masks && (y.shape[1] !== x.shape[1] || y.shape[2] !== x.shape[2])) {
    throw new KilnError(TrainerErrorCodes.MIXUP_UNSUPPORTED, `CutMix needs masks of the images' size: images [${x.shape}], masks [${y.shape}].`);
  }
  if (o.prob !== undefined && o.prob < 1 && !(rng.float() < o.prob)) return batch;
  const kind = o.mode === 'both' ? (rng.float() < 0.5 ? 'cutmix' : 'mixup') : o.mode;
  let lambda = sampleBeta(rng, o.alpha, o.alpha);
  const perm = rng.shuffle([...Array(batch.size).keys()]);
  if (kind === 'mixup') {
    const out = tf.tidy(() => {
      const idx = tf.tensor1d(perm, 'int32');
      return { x: tf.add(tf.mul(x, lambda), tf.mul(tf.gather(x, idx), 1 - lambda)), yB: tf.gather(y, idx) };
    });
    return { x: out.x, y, size: batch.size, mix: { kind, lambda, perm, yB: out.yB } };
  }
  const [height, width] = [x.shape[1]!, x.shape[2]!];
  const box = cutBox(height, width, lambda, rng.int(height), rng.int(width));
  lambda = 1 - ((box.y2 - box.y1) * (box.x2 - box.x1)) / (height * width);
  const inBox = new Uint8Array(height * width);
  for (let r = box.y1; r < box.y2; r++) inBox.fill(1, r * width + box.x1, r * width + box.x2);
  const out = tf.tidy((): Record<string, tf.Tensor> => {
    const idx = tf.tensor1d(perm, 'int32');
    const cut = tf.tensor4d(inBox, [1, height, width, 1], 'bool');
    const paste = (t: tf.Tensor) => {
      const spatial = t.rank === 3 ? tf.expandDims(t, -1) : t; // masks may come as [N, H, W]
      const mixed = tf.where(tf.broadcastTo(cut, spatial.shape), tf.gather(spatial, idx), spatial);
      return t.rank === 3 ? tf.squeeze(mixed, [3]) : mixed;
    };
    return masks ? { x: paste(x), y: paste(y) } : { x: paste(x), yB: tf.gather(y, idx) };
  });
  return { x: out.x, y: masks ? out.y : y, size: batch.size, mix: { kind, lambda, perm, box, yB: masks ? undefined : out.yB } };
}
