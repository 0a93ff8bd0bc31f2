import * as tf from '@tensorflow/tfjs-core';
import type { Loss } from '@kiln/core-trainer';
import { PROB_EPSILON } from './cross-entropy.js';
import { LossErrorCodes, lossError } from './errors.js';
import { type Reduction, checkReduction, reduce } from './internal/reduction.js';
import { binaryTargets, classTargets } from './internal/targets.js';
import { type ValidateOption, ValidationGate, countNonFinite, enforce } from './internal/validate.js';
import { checkWeights } from './internal/weights.js';

export interface FocalLossOptions {
  /** Predictions are logits (sigmoid / softmax applied). Default false: probabilities. */
  readonly fromLogits?: boolean;
  /** Focusing exponent γ >= 0 (0 gives cross-entropy). Default 2. */
  readonly gamma?: number;
  /**
   * Sigmoid form: weight α of positives (negatives get 1 − α), default 0.25 as torchvision; `null` for none.
   * Softmax form: one weight per class (default none).
   */
  readonly alpha?: number | readonly number[] | null;
  /** Treat C > 1 outputs as independent sigmoid labels (multi-label) instead of one softmax. Default false. */
  readonly multiLabel?: boolean;
  readonly reduction?: Reduction;
  readonly validate?: ValidateOption;
  readonly name?: string;
}

/**
 * Focal loss (Lin et al.). Sigmoid form — binary masks [N,H,W,1], or any shape with `multiLabel` —
 * equals torchvision's `sigmoid_focal_loss`: `α_t·(1 − p_t)^γ·BCE`. Softmax form (C > 1) with index
 * or one-hot targets: `−Σ_c α_c·t_c·(1 − p_c)^γ·log p_c`. 'mean' averages over elements (pixels).
 * @example const focal = new FocalLoss({ fromLogits: true, gamma: 2, alpha: 0.25 });
 */
export class FocalLoss implements Loss {
  readonly name: string;
  readonly #o: FocalLossOptions;
  readonly #gate: ValidationGate;
  #check = true;
  readonly #reduction: Reduction;
  readonly #gamma: number;

  constructor(options: FocalLossOptions = {}) {
    this.name = options.name ?? 'focal';
    this.#o = options;
    this.#gate = new ValidationGate(options.validate);
    this.#reduction = checkReduction(this.name, options.reduction);
    this.#gamma = options.gamma ?? 2;
    if (!(this.#gamma >= 0 && Number.isFinite(this.#gamma))) {
      lossError(LossErrorCodes.INVALID_OPTION, `Loss '${this.name}': gamma = ${this.#gamma} must be a finite number >= 0.`, { argument: 'gamma', value: this.#gamma, validRange: '[0, Infinity)' });
    }
    const a = options.alpha;
    if (typeof a === 'number' && !(a >= 0 && a <= 1)) {
      lossError(LossErrorCodes.INVALID_OPTION, `Loss '${this.name}': alpha = ${a} must be in [0, 1] (weight of positives).`, { argument: 'alpha', value: a, validRange: [0, 1] });
    }
  }

  compute(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    this.#check = this.#gate.next();
    return tf.tidy(() => {
      const c = yPred.shape[yPred.rank - 1];
      return c === 1 || this.#o.multiLabel ? this.#sigmoid(yTrue, yPred) : this.#softmax(yTrue, yPred, c);
    });
  }

  #sigmoid(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    const y = binaryTargets(this.name, yTrue, yPred);
    if (this.#check) enforce(this.name, { badPredictions: countNonFinite(yPred), labelMin: tf.min(y), labelMax: tf.max(y) }, [0, 1], 'binary targets');
    const alpha = this.#o.alpha === undefined ? 0.25 : this.#o.alpha;
    if (Array.isArray(alpha)) {
      lossError(LossErrorCodes.INVALID_OPTION, `Loss '${this.name}': in the sigmoid form alpha is one number in [0, 1] (or null), not a list.`, { argument: 'alpha', value: alpha });
    }
    const [p, logP, log1mP] = this.#o.fromLogits
      ? [tf.sigmoid(yPred), tf.neg(tf.softplus(tf.neg(yPred))), tf.neg(tf.softplus(yPred))]
      : [yPred, tf.log(tf.clipByValue(yPred, PROB_EPSILON, 1 - PROB_EPSILON)), tf.log(tf.clipByValue(tf.sub(1, yPred), PROB_EPSILON, 1 - PROB_EPSILON))];
    const ce = tf.neg(tf.add(tf.mul(y, logP), tf.mul(tf.sub(1, y), log1mP)));
    const pT = tf.add(tf.mul(p, y), tf.mul(tf.sub(1, p), tf.sub(1, y)));
    let loss = tf.mul(ce, tf.pow(tf.sub(1, pT), this.#gamma));
    if (alpha !== null) loss = tf.mul(loss, tf.add(tf.mul(y, alpha as number), tf.mul(tf.sub(1, y), 1 - (alpha as number))));
    return reduce(loss, this.#reduction);
  }

  #softmax(yTrue: tf.Tensor, yPred: tf.Tensor, c: number): tf.Tensor {
    const t = classTargets(this.name, yTrue, yPred);
    let target: tf.Tensor;
    if (t.kind === 'soft') {
      if (this.#check) enforce(this.name, { badPredictions: countNonFinite(yPred), labelMin: tf.min(t.probs), labelMax: tf.max(t.probs) }, [0, 1], 'one-hot targets');
      target = t.probs;
    } else {
      if (this.#check) {
        enforce(this.name, {
          badPredictions: countNonFinite(yPred), labelMin: tf.min(t.labels), labelMax: tf.max(t.labels),
          nonInteger: tf.sum(tf.cast(tf.notEqual(t.labels, tf.round(t.labels)), 'float32')),
        }, [0, c - 1], 'class indices');
      }
      target = tf.oneHot(tf.cast(t.labels, 'int32'), c);
    }
    const logp = this.#o.fromLogits ? tf.logSoftmax(yPred) : tf.log(tf.clipByValue(yPred, PROB_EPSILON, 1));
    let perClass = tf.mul(tf.mul(target, tf.pow(tf.sub(1, tf.exp(logp)), this.#gamma)), tf.neg(logp));
    const a = this.#o.alpha;
    if (typeof a === 'number') {
      lossError(LossErrorCodes.INVALID_OPTION, `Loss '${this.name}': in the softmax form alpha is a list of ${c} per-class weights, not one number.`, { argument: 'alpha', value: a });
    }
    if (a) perClass = tf.mul(perClass, checkWeights(this.name, 'alpha', a, c));
    return reduce(tf.sum(perClass, -1), this.#reduction);
  }
}
