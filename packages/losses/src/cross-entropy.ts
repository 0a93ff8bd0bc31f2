import * as tf from '@tensorflow/tfjs-core';
import type { Loss } from '@kiln/core-trainer';
import { type ClassWeights, type UnknownClass, resolveClassWeights } from './class-weights.js';
import { LossErrorCodes, lossError } from './errors.js';
import { type Reduction, checkReduction, reduce } from './internal/reduction.js';
import { classTargets } from './internal/targets.js';
import { type ValidateOption, ValidationGate, countNonFinite, enforce } from './internal/validate.js';
import { checkWeights } from './internal/weights.js';

/** Smallest probability used when taking logs of probabilities (as Keras). */
export const PROB_EPSILON = 1e-7;

export interface CrossEntropyOptions {
  /** `true`: predictions are logits (log-softmax is applied); `false` (default): probabilities (clipped to [1e-7, 1]). */
  readonly fromLogits?: boolean;
  /** PyTorch's `label_smoothing` in [0, 1]. */
  readonly labelSmoothing?: number;
  /** One weight per class, or `'balanced'` (scikit-learn's rule) with `classCounts`. */
  readonly classWeights?: ClassWeights;
  /** Label counts of the training set, used by `classWeights: 'balanced'`. */
  readonly classCounts?: readonly number[];
  /** A class (e.g. 'unknown') with its own weight, set apart from `classWeights` / 'balanced'. */
  readonly unknownClass?: UnknownClass;
  /** Index targets equal to this are skipped (PyTorch's `ignore_index`, e.g. 255 or -100). */
  readonly ignoreIndex?: number;
  readonly reduction?: Reduction;
  /** Check labels are in range and predictions finite (one small readback per call). Default true. */
  readonly validate?: ValidateOption;
  readonly name?: string;
}

/**
 * Categorical cross-entropy equal to `torch.nn.functional.cross_entropy` on the same inputs.
 * Targets are class indices [N] / [N,H,W] (int or float) or one-hot/soft targets shaped like the
 * predictions [N,C] / [N,H,W,C]. With weights, 'mean' divides by the summed weights of the
 * targets (index targets) as PyTorch does; soft targets divide by the element count.
 * @example
 * const ce = new CrossEntropyLoss({ fromLogits: true, labelSmoothing: 0.1 });
 * const loss = ce.compute(tf.tensor1d([2, 0], 'int32'), logits); // logits [2, C]
 */
export class CrossEntropyLoss implements Loss {
  readonly name: string;
  readonly #o: CrossEntropyOptions;
  readonly #gate: ValidationGate;
  readonly #reduction: Reduction;
  readonly #weights?: (numClasses: number) => readonly number[];

  constructor(options: CrossEntropyOptions = {}) {
    this.name = options.name ?? 'cross-entropy';
    this.#o = options;
    this.#gate = new ValidationGate(options.validate);
    this.#reduction = checkReduction(this.name, options.reduction);
    const ls = options.labelSmoothing ?? 0;
    if (!(ls >= 0 && ls <= 1)) {
      lossError(LossErrorCodes.INVALID_OPTION, `Loss '${this.name}': labelSmoothing = ${ls} must be in [0, 1].`,
        { argument: 'labelSmoothing', value: ls, validRange: [0, 1] });
    }
    this.#weights = resolveClassWeights(this.name, options.classWeights, options.classCounts, options.unknownClass);
  }

  compute(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    const check = this.#gate.next();
    return tf.tidy(() => {
      const c = yPred.shape[yPred.rank - 1];
      const eps = this.#o.labelSmoothing ?? 0;
      const logp = this.#o.fromLogits ? tf.logSoftmax(yPred) : tf.log(tf.clipByValue(yPred, PROB_EPSILON, 1));
      const w = this.#weights ? checkWeights(this.name, 'classWeights', this.#weights(c), c) : undefined;
      const t = classTargets(this.name, yTrue, yPred);
      if (t.kind === 'soft') {
        if (check) {
          enforce(this.name, { badPredictions: countNonFinite(yPred), labelMin: tf.min(t.probs), labelMax: tf.max(t.probs) }, [0, 1], 'soft targets');
        }
        const target = eps > 0 ? tf.add(tf.mul(t.probs, 1 - eps), eps / c) : t.probs;
        const weighted = w ? tf.mul(logp, w) : logp;
        return reduce(tf.neg(tf.sum(tf.mul(target, weighted), -1)), this.#reduction);
      }
      const ignore = this.#o.ignoreIndex;
      const valid = ignore === undefined ? tf.onesLike(t.labels) : tf.cast(tf.notEqual(t.labels, ignore), 'float32');
      const safe = tf.mul(t.labels, valid);
      if (check) {
        enforce(this.name, {
          badPredictions: countNonFinite(yPred), labelMin: tf.min(safe), labelMax: tf.max(safe),
          nonInteger: tf.sum(tf.cast(tf.notEqual(safe, tf.round(safe)), 'float32')),
        }, [0, c - 1], `class indices${ignore === undefined ? '' : ` (other than ignoreIndex ${ignore})`}`);
      }
      const oneHot = tf.oneHot(tf.cast(safe, 'int32'), c);
      const targetWeight = w ? tf.mul(tf.sum(tf.mul(oneHot, w), -1), valid) : valid;
      const nll = tf.neg(tf.sum(tf.mul(oneHot, logp), -1));
      let perElement = tf.mul(targetWeight, nll);
      if (eps > 0) {
        const smooth = tf.mul(tf.neg(tf.sum(w ? tf.mul(logp, w) : logp, -1)), valid);
        perElement = tf.add(tf.mul(perElement, 1 - eps), tf.mul(smooth, eps / c));
      }
      return reduce(perElement, this.#reduction, tf.sum(targetWeight));
    });
  }
}
