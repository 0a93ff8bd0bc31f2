import type * as tf from '@tensorflow/tfjs-core';
import type { Metric, MetricValue } from '@kiln/core-trainer';
import { type ThresholdOptions, checkThreshold } from './classify.js';
import { ConfusionState } from './confusion-state.js';

/**
 * A metric computed from a streamed confusion matrix: updating, resetting and saving the state is
 * the same for all of them (precision/recall/F1, Dice/IoU, the matrix itself); subclasses compute.
 */
export abstract class ConfusionMetric implements Metric {
  protected readonly state: ConfusionState;

  constructor(readonly name: string, options: ThresholdOptions) {
    checkThreshold(name, options.threshold);
    this.state = new ConfusionState(name, options);
  }

  abstract compute(): Promise<MetricValue>;

  update(yTrue: tf.Tensor, yPred: tf.Tensor): void {
    this.state.update(yTrue, yPred);
  }

  reset(): void {
    this.state.reset();
  }

  async stateDict(): Promise<unknown> {
    return this.state.stateDict();
  }

  loadStateDict(state: unknown): void {
    this.state.loadStateDict(state);
  }
}
