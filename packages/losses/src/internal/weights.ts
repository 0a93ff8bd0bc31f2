import * as tf from '@tensorflow/tfjs-core';
import { LossErrorCodes, lossError } from '../errors.js';

/** Checks that `w` has one finite, non-negative weight per class (`numClasses`). */
export function checkWeights(loss: string, argument: string, w: readonly number[], numClasses: number): tf.Tensor1D {
  if (w.length !== numClasses) {
    lossError(LossErrorCodes.WEIGHTS_LENGTH,
      `Loss '${loss}': ${argument} has ${w.length} value(s) but the predictions have ${numClasses} class(es); give exactly ${numClasses}.`,
      { argument, length: w.length, expected: numClasses });
  }
  const bad = w.findIndex((x) => !Number.isFinite(x) || x < 0);
  if (bad >= 0) {
    lossError(LossErrorCodes.INVALID_OPTION, `Loss '${loss}': ${argument}[${bad}] = ${w[bad]} must be a finite number >= 0.`,
      { argument: `${argument}[${bad}]`, value: w[bad], validRange: '[0, Infinity)' });
  }
  return tf.tensor1d(w as number[], 'float32');
}
