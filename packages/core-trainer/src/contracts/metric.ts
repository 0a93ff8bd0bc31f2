import type * as tf from '@tensorflow/tfjs-core';
import type { ZodType } from 'zod';

export type MetricValue = number | Readonly<Record<string, number>>;

/**
 * A streaming metric, exact over everything it was updated with (not a mean of batch values).
 * `update` is called inside a `tf.tidy` with the batch's targets and predictions: keep state in
 * host arrays or kept tensors (`tf.keep`) and do not read back per batch where avoidable.
 * `compute` reads the result; `reset` clears state. A record value is logged as `name/key`.
 */
export interface Metric {
  readonly name: string;
  update(yTrue: tf.Tensor, yPred: tf.Tensor): void;
  compute(): Promise<MetricValue>;
  reset(): void;
  /** JSON-serialisable state for checkpoints. */
  stateDict?(): Promise<unknown>;
  loadStateDict?(state: unknown): void;
}

export interface MetricFactory<O = Record<string, unknown>> {
  readonly schema: ZodType<O>;
  create(options: O): Metric;
}
