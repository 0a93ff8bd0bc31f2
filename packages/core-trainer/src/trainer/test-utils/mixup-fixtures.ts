// Test helpers for mixup: a softmax classifier on images and losses written out (not exported).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import type { Loss } from '../../contracts/loss.js';
import { Sgd } from '../../optim/sgd.js';
import type { Rng } from '../../rng.js';
import { SupervisedModule } from '../supervised-module.js';

export const randn = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** |a − b| ≤ rel·max(1, |b|). */
export const expectClose = (a: number, b: number, rel = 1e-6) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));

/** Softmax classifier on flattened HWC images, p = softmax(flatten(x)·W + b), trained by plain SGD (lr 0.1). */
export function imageModule(shape: [number, number, number], classes: number, loss: Loss, extra: Partial<ConstructorParameters<typeof SupervisedModule>[0]> = {}) {
  const model = tfl.sequential({ layers: [
    tfl.layers.flatten({ inputShape: shape }),
    tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
  ] });
  return new SupervisedModule({ model, loss, lr: 0.1, optimizer: (g) => new Sgd(g), ...extra });
}

/** Mean cross-entropy of class indices. */
export const classCe = (classes: number): Loss => ({ name: 'ce', compute: (y, p) => tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(y as tf.Tensor1D, classes), tf.log(p)), -1))) });
/** Mean cross-entropy of one-hot / soft targets. */
export const denseCe: Loss = { name: 'ce', compute: (y, p) => tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(p)), -1))) };
/** Mean binary cross-entropy over every element (multi-label). */
export const bce: Loss = { name: 'bce', compute: (y, p) => tf.mean(tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) };
