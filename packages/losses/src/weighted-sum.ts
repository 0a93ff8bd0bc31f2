import * as tf from '@tensorflow/tfjs-core';
import type { Loss } from '@kiln/core-trainer';
import { LossErrorCodes, lossError } from './errors.js';

export interface WeightedLoss {
  readonly loss: Loss;
  readonly weight?: number;
}

/**
 * `Σ weightᵢ · lossᵢ` of scalar losses (e.g. BCE + Dice). Each part must reduce to a scalar.
 * @example const bceDice = new WeightedSumLoss([{ loss: new BinaryCrossEntropyLoss() }, { loss: new DiceLoss(), weight: 0.5 }]);
 */
export class WeightedSumLoss implements Loss {
  readonly name: string;
  readonly parts: readonly WeightedLoss[];

  constructor(parts: readonly WeightedLoss[], name?: string) {
    if (!parts.length) lossError(LossErrorCodes.INVALID_OPTION, 'A weighted sum of losses needs at least one loss.', { argument: 'parts' });
    parts.forEach((p, i) => {
      const w = p.weight ?? 1;
      if (!Number.isFinite(w)) {
        lossError(LossErrorCodes.INVALID_OPTION, `Weighted sum: parts[${i}] ('${p.loss.name}') has weight ${w}; it must be a finite number.`,
          { argument: `parts[${i}].weight`, value: w });
      }
    });
    this.parts = parts;
    this.name = name ?? parts.map((p) => p.loss.name).join('+');
  }

  compute(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const terms = this.parts.map((p) => {
        const v = p.loss.compute(yTrue, yPred);
        if (v.rank !== 0) {
          lossError(LossErrorCodes.SHAPE_MISMATCH, `Weighted sum '${this.name}': part '${p.loss.name}' returned shape [${v.shape}]; use reduction 'mean' or 'sum'.`,
            { argument: 'parts', part: p.loss.name, shape: v.shape });
        }
        return tf.mul(v, p.weight ?? 1);
      });
      return tf.addN(terms);
    });
  }
}
