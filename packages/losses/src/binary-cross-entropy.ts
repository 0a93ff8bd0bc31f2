import * as tf from '@tensorflow/tfjs-core';
import type { Loss } from '@kiln/core-trainer';
import { PROB_EPSILON } from './cross-entropy.js';
import { LossErrorCodes, lossError } from './errors.js';
import { type Reduction, checkReduction, reduce } from './internal/reduction.js';
import { binaryTargets } from './internal/targets.js';
import { type ValidateOption, ValidationGate, countNonFinite, enforce } from './internal/validate.js';
import { checkWeights } from './internal/weights.js';

export interface BinaryCrossEntropyOptions {
  /** `true`: predictions are logits (PyTorch's BCEWithLogitsLoss); `false` (default): probabilities clipped to [1e-7, 1-1e-7]. */
  readonly fromLogits?: boolean;
  /** Weight of positive targets: one number, or one per label on the last axis (multi-label), as PyTorch's `pos_weight`. */
  readonly posWeight?: number | readonly number[];
  /** Weight per label on the last axis (PyTorch's `weight`, broadcast over the last axis). */
  readonly weights?: readonly number[];
  readonly reduction?: Reduction;
  /** Check targets are in [0, 1] and predictions finite (one small readback per call). Default true. */
  readonly validate?: ValidateOption;
  readonly name?: string;
}

/**
 * Element-wise binary cross-entropy, equal to PyTorch's `BCEWithLogitsLoss(pos_weight=…)` (logits)
 * or `BCELoss` (probabilities). Works per pixel on masks [N,H,W,1] and per label on multi-label
 * outputs [N,L]; targets may be soft (in [0, 1]). 'mean' averages over every element.
 * `loss = -w·[p·y·log σ(x) + (1 − y)·log(1 − σ(x))]`.
 * @example
 * const bce = new BinaryCrossEntropyLoss({ fromLogits: true, posWeight: [2, 1, 5] });
 * const loss = bce.compute(labels, logits); // both [N, 3]
 */
export class BinaryCrossEntropyLoss implements Loss {
  readonly name: string;
  readonly #o: BinaryCrossEntropyOptions;
  readonly #gate: ValidationGate;
  readonly #reduction: Reduction;

  constructor(options: BinaryCrossEntropyOptions = {}) {
    this.name = options.name ?? 'bce';
    this.#o = options;
    this.#gate = new ValidationGate(options.validate);
    this.#reduction = checkReduction(this.name, options.reduction);
    if (typeof options.posWeight === 'number' && !(options.posWeight >= 0 && Number.isFinite(options.posWeight))) {
      lossError(LossErrorCodes.INVALID_OPTION, `Loss '${this.name}': posWeight = ${options.posWeight} must be a finite number >= 0.`,
        { argument: 'posWeight', value: options.posWeight, validRange: '[0, Infinity)' });
    }
  }

  compute(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    const check = this.#gate.next();
    return tf.tidy(() => {
      const y = binaryTargets(this.name, yTrue, yPred);
      if (check) {
        enforce(this.name, { badPredictions: countNonFinite(yPred), labelMin: tf.min(y), labelMax: tf.max(y) }, [0, 1], 'binary targets');
      }
      const labels = yPred.shape[yPred.rank - 1];
      const pw = this.#o.posWeight;
      const posWeight = pw === undefined ? undefined : typeof pw === 'number' ? tf.scalar(pw) : checkWeights(this.name, 'posWeight', pw, labels);
      const [logP, log1mP] = this.#o.fromLogits
        ? [tf.neg(tf.softplus(tf.neg(yPred))), tf.neg(tf.softplus(yPred))]
        : [tf.log(tf.clipByValue(yPred, PROB_EPSILON, 1 - PROB_EPSILON)), tf.log(tf.clipByValue(tf.sub(1, yPred), PROB_EPSILON, 1 - PROB_EPSILON))];
      const pos = posWeight ? tf.mul(tf.mul(y, posWeight), logP) : tf.mul(y, logP);
      let perElement = tf.neg(tf.add(pos, tf.mul(tf.sub(1, y), log1mP)));
      if (this.#o.weights) perElement = tf.mul(perElement, checkWeights(this.name, 'weights', this.#o.weights, labels));
      return reduce(perElement, this.#reduction);
    });
  }
}
