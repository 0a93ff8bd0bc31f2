import type * as tf from '@tensorflow/tfjs-core';

/** What a dataset's samples are, known before any sample is read. */
export interface DatasetSpec {
  /** Input image shape, height × width × channels (NHWC without N). */
  readonly inputShape: readonly [number, number, number];
  readonly task: 'classification' | 'multilabel' | 'segmentation' | 'regression';
  /** Classes (for segmentation: mask classes; a binary mask has 1). */
  readonly numClasses: number;
  readonly classNames?: readonly string[];
  /** Shape of one sample's target: [] for a class index, [numClasses] for multi-label, [h, w, 1] for masks. */
  readonly targetShape: readonly number[];
  readonly targetDtype: 'int32' | 'float32';
}

/** One decoded sample on the host: `x` is HWC float32; `y` matches `spec.targetShape`. */
export interface Sample {
  readonly x: Float32Array;
  readonly y: Float32Array | Int32Array | number;
  /** Stable identity (file path, row id) used in error reports and leakage checks. */
  readonly id?: string;
  /** Group such as patient or lesion id: never split across train/val. */
  readonly group?: string;
}

/** Random-access collection of samples. `get` may be sync or async (decoding from disk). */
export interface Dataset {
  readonly spec: DatasetSpec;
  readonly size: number;
  /** `context.epoch` lets seeded augmentation differ per epoch and replay exactly on resume. */
  get(index: number, context?: { readonly epoch: number }): Sample | Promise<Sample>;
}

/** A collated batch on the active backend. The consumer owns and disposes the tensors. */
export interface Batch {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  readonly size: number;
}

/**
 * An epoch-wise stream of batches: what the Trainer consumes. Implementations are deterministic
 * given (seed, epoch) and can start mid-epoch, which exact resume relies on.
 */
export interface BatchSource {
  readonly spec: DatasetSpec;
  /** Batches per epoch. */
  readonly numBatches: number;
  readonly batchSize: number;
  /** Yields the batches of `epoch` starting at batch index `startBatch`. */
  epoch(epoch: number, startBatch?: number): AsyncIterable<Batch>;
}
