import * as tf from '@tensorflow/tfjs-core';
import type { Batch, BatchSource } from '../contracts/dataset.js';
import type { TrainingModule } from '../contracts/module.js';
import type { Rng } from '../rng.js';
import type { MixedBatch } from './mixup.js';

/**
 * A module that transforms each whole training batch before the step, with randomness drawn
 * only from `rng` (derived from the run seed and the batch's position, so resume stays exact).
 * SupervisedModule does mixup/CutMix here. Runs before any OOM split, so micro-batches of one
 * batch share one draw. The returned batch's new tensors are disposed by the trainer.
 */
export interface TrainBatchPreparer {
  prepareTrainBatch(batch: Batch, rng: Rng): Batch;
}

export function preparesTrainBatches(module: TrainingModule): module is TrainingModule & TrainBatchPreparer {
  return typeof (module as Partial<TrainBatchPreparer>).prepareTrainBatch === 'function';
}

/** Samples [start, start + size) of a batch (also the partner targets of a mixed batch). Call inside `tf.tidy`. */
export function sliceBatch(batch: MixedBatch, start: number, size: number): MixedBatch {
  if (start === 0 && size === batch.size) return batch;
  const cut = (t: tf.Tensor) => tf.slice(t, start, size);
  const mix = batch.mix && { ...batch.mix, yB: batch.mix.yB && cut(batch.mix.yB) };
  return { x: cut(batch.x), y: cut(batch.y), size, ...(mix ? { mix } : {}) };
}

/** Disposes the tensors of `prepared` that `original` does not own. */
export function disposeExtras(prepared: MixedBatch, original: Batch): void {
  const mine = [prepared.x, prepared.y, prepared.mix?.yB].filter((t): t is tf.Tensor => t !== undefined && t !== original.x && t !== original.y);
  tf.dispose(mine);
}

/** Batches [startBatch, limit) of `source`'s epoch `epoch`. */
export async function* iterate(source: BatchSource, epoch: number, startBatch: number, limit: number): AsyncGenerator<Batch> {
  if (startBatch >= limit) return;
  let i = startBatch;
  for await (const batch of source.epoch(epoch, startBatch)) {
    yield batch;
    if (++i >= limit) return;
  }
}
