import * as tf from '@tensorflow/tfjs-core';
import { CoreErrorCodes, KilnError } from '../errors.js';

interface Sum { sum: tf.Tensor; count: number }
/** A loss sum on the host: sum of sample-weighted losses and the sample count. */
export interface LossSum { readonly sum: number; readonly count: number }

/**
 * Sample-weighted sums of the training loss kept on the device: one since the last step log,
 * one over the epoch. Read back only by `readStep` / `readEpoch` (one `data()` each).
 */
export class LossSums {
  #step: Sum = { sum: tf.scalar(0), count: 0 };
  #epoch: Sum = { sum: tf.scalar(0), count: 0 };

  /** Adds a batch's mean `loss` (disposed here) weighted by its `n` samples. */
  add(loss: tf.Tensor, n: number): void {
    for (const acc of [this.#step, this.#epoch]) {
      const next = tf.tidy(() => tf.add(acc.sum, tf.mul(loss, n)));
      acc.sum.dispose();
      acc.sum = next;
      acc.count += n;
    }
    loss.dispose();
  }

  /** Mean loss since the last call, then restarts that sum. Throws KILN_TRAINER_NAN_LOSS on NaN/Inf. */
  async readStep(): Promise<number> {
    const sum = (await this.#step.sum.data())[0];
    const mean = sum / Math.max(1, this.#step.count);
    this.#step.sum.dispose();
    this.#step = { sum: tf.scalar(0), count: 0 };
    if (!Number.isFinite(mean)) throw nanError(mean);
    return mean;
  }

  /** Mean loss over the epoch so far. */
  async readEpoch(): Promise<number> {
    const mean = (await this.#epoch.sum.data())[0] / Math.max(1, this.#epoch.count);
    if (!Number.isFinite(mean)) throw nanError(mean);
    return mean;
  }

  /** Both sums on the host, for a checkpoint. */
  async state(): Promise<{ epoch: LossSum; step: LossSum }> {
    const [epoch, step] = await Promise.all([this.#epoch.sum.data(), this.#step.sum.data()]);
    return { epoch: { sum: epoch[0], count: this.#epoch.count }, step: { sum: step[0], count: this.#step.count } };
  }

  /** Starts a new epoch sum, or restores one from a checkpoint. */
  resetEpoch(state: LossSum = { sum: 0, count: 0 }): void {
    this.#epoch.sum.dispose();
    this.#epoch = { sum: tf.scalar(state.sum), count: state.count };
  }

  /** Restores the sum since the last step log from a checkpoint. */
  restoreStep(state: LossSum): void {
    this.#step.sum.dispose();
    this.#step = { sum: tf.scalar(state.sum), count: state.count };
  }

  dispose(): void {
    tf.dispose([this.#step.sum, this.#epoch.sum]);
  }
}

function nanError(value: number): KilnError {
  return new KilnError(CoreErrorCodes.TRAINER_NAN_LOSS,
    `The training loss became ${value}. Lower the learning rate, enable gradient clipping (gradientClipVal), or check the data for NaN/Inf.`,
    { details: { value } });
}
