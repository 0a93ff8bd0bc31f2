import type * as tf from '@tensorflow/tfjs-core';
import type { ZodType } from 'zod';

/**
 * A loss: `(yTrue, yPred) → tensor`. With reduction `mean` or `sum` the result is a scalar.
 * Must be differentiable w.r.t. `yPred`, run inside the caller's `tf.tidy`, and dispose nothing it did not make.
 */
export interface Loss {
  readonly name: string;
  compute(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor;
}

/** A named way to build a loss from options (registered in the `losses` registry). */
export interface LossFactory<O = Record<string, unknown>> {
  readonly schema: ZodType<O>;
  create(options: O): Loss;
}
