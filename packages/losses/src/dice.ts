import { type ValidateOption, ValidationGate } from './internal/validate.js';
import * as tf from '@tensorflow/tfjs-core';
import type { Loss } from '@kiln/core-trainer';
import { LossErrorCodes, lossError } from './errors.js';
import { type OverlapOptions, softOverlap } from './internal/overlap.js';
import { type Reduction, checkReduction, reduce } from './internal/reduction.js';

export interface DiceLossOptions extends Omit<OverlapOptions, 'validate'> {
  /** `true` (default) check inputs on every call, `false` never, N on the first and every N-th call. */
  readonly validate?: ValidateOption;
  /** Added to numerator and denominator: `(2·TP + smooth) / (2·TP + FP + FN + smooth)`. Default 1. */
  readonly smooth?: number;
  /** Over what 1 − Dice values ([C], or [N, C] with `perImage`) to reduce. Default 'mean'. */
  readonly reduction?: Reduction;
  readonly name?: string;
}

/** Floor of Dice/Tversky denominators so `smooth: 0` on an empty class gives loss 1, not NaN. */
const DENOM_FLOOR = 1e-7;

function checkSmooth(loss: string, smooth: number): number {
  if (!(smooth >= 0 && Number.isFinite(smooth))) {
    lossError(LossErrorCodes.INVALID_OPTION, `Loss '${loss}': smooth = ${smooth} must be a finite number >= 0.`, { argument: 'smooth', value: smooth, validRange: '[0, Infinity)' });
  }
  return smooth;
}

/**
 * Soft Dice loss `1 − (2·Σp·y + s) / (Σp + Σy + s)` per class, summed over the batch and pixels
 * (or per image with `perImage`), then reduced over classes. Binary masks [N,H,W,1] or
 * multi-class [N,H,W,C] with index [N,H,W] or one-hot targets; `fromLogits` applies sigmoid/softmax.
 * @example
 * const dice = new DiceLoss({ fromLogits: true });
 * const loss = dice.compute(masks, logits); // both [N, H, W, 1]
 */
export class DiceLoss implements Loss {
  readonly name: string;
  readonly #o: DiceLossOptions;
  readonly #gate: ValidationGate;
  readonly #reduction: Reduction;
  readonly #smooth: number;

  constructor(options: DiceLossOptions = {}) {
    this.name = options.name ?? 'dice';
    this.#o = options;
    this.#gate = new ValidationGate(options.validate);
    this.#reduction = checkReduction(this.name, options.reduction);
    this.#smooth = checkSmooth(this.name, options.smooth ?? 1);
  }

  compute(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { tp, fp, fn } = softOverlap(this.name, yTrue, yPred, { ...this.#o, validate: this.#gate.next() });
      const num = tf.add(tf.mul(tp, 2), this.#smooth);
      const den = tf.add(tf.add(tf.add(tf.mul(tp, 2), fp), fn), this.#smooth);
      return reduce(tf.sub(1, tf.div(num, tf.maximum(den, DENOM_FLOOR))), this.#reduction);
    });
  }
}

export interface TverskyLossOptions extends DiceLossOptions {
  /** Weight of false positives. Default 0.5. */
  readonly alpha?: number;
  /** Weight of false negatives. Default 0.5 (α = β = 0.5 is Dice with the smoothing inside). */
  readonly beta?: number;
}

/**
 * Tversky loss `1 − (TP + s) / (TP + α·FP + β·FN + s)` with soft counts, reduced over classes.
 * β > α penalises missed foreground more (small lesions).
 * @example const loss = new TverskyLoss({ alpha: 0.3, beta: 0.7 }).compute(masks, probs);
 */
export class TverskyLoss implements Loss {
  readonly name: string;
  readonly #o: TverskyLossOptions;
  readonly #gate: ValidationGate;
  readonly #reduction: Reduction;
  readonly #smooth: number;

  constructor(options: TverskyLossOptions = {}) {
    this.name = options.name ?? 'tversky';
    this.#o = options;
    this.#gate = new ValidationGate(options.validate);
    this.#reduction = checkReduction(this.name, options.reduction);
    this.#smooth = checkSmooth(this.name, options.smooth ?? 1);
    for (const k of ['alpha', 'beta'] as const) {
      const v = options[k] ?? 0.5;
      if (!(v >= 0 && Number.isFinite(v))) {
        lossError(LossErrorCodes.INVALID_OPTION, `Loss '${this.name}': ${k} = ${v} must be a finite number >= 0.`, { argument: k, value: v, validRange: '[0, Infinity)' });
      }
    }
  }

  compute(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { tp, fp, fn } = softOverlap(this.name, yTrue, yPred, { ...this.#o, validate: this.#gate.next() });
      const den = tf.add(tf.add(tf.add(tp, tf.mul(fp, this.#o.alpha ?? 0.5)), tf.mul(fn, this.#o.beta ?? 0.5)), this.#smooth);
      return reduce(tf.sub(1, tf.div(tf.add(tp, this.#smooth), tf.maximum(den, DENOM_FLOOR))), this.#reduction);
    });
  }
}
