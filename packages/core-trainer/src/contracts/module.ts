import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from './dataset.js';
import type { Metric } from './metric.js';
import type { Optimizer } from './optimizer.js';
import type { LrSchedule } from './schedule.js';
import type { Rng } from '../rng.js';

/** What `configureOptimizers` returns: one optimizer and, optionally, one schedule per parameter group. */
export interface OptimizerConfig {
  readonly optimizer: Optimizer;
  readonly schedules?: readonly LrSchedule[];
  /** Metric the schedules read at epoch end (reduce-on-plateau), e.g. `val_loss`. */
  readonly monitor?: string;
}

/** Sizes known when `configureOptimizers` is called. */
export interface FitInfo {
  readonly stepsPerEpoch: number;
  readonly maxEpochs: number;
  readonly totalSteps: number;
}

/**
 * The step logic of a model (Lightning's LightningModule). The Trainer calls `trainingStep`
 * inside `tf.variableGrads` and `tf.tidy`, so it returns the scalar loss and must not dispose
 * its inputs. `validationStep` updates `metrics` and returns the batch's mean loss.
 */
export interface TrainingModule {
  readonly model: tfl.LayersModel;
  readonly metrics: readonly Metric[];
  trainingStep(batch: Batch): tf.Scalar;
  validationStep(batch: Batch): tf.Scalar;
  predictStep(batch: Batch): tf.Tensor;
  configureOptimizers(info: FitInfo): OptimizerConfig;
  /**
   * Optional: transforms a training batch before the step (mixup, cutmix), inside `tf.tidy`,
   * drawing only from `rng` (derived from seed, epoch and batch, so resume stays exact).
   */
  prepareTrainBatch?(batch: Batch, rng: Rng): Batch;
}
