import type { BatchSource } from '../contracts/dataset.js';
import { CoreErrorCodes, KilnError } from '../errors.js';
import { type ResolvedTrainerOptions, limitBatches, valCheckBatches } from './options.js';

/** The sizes of one fit, worked out from the options and the data before training starts. */
export interface FitPlan {
  /** Batches in a fast dev run (0: not one). */
  readonly devRun: number;
  readonly maxEpochs: number;
  readonly batchesPerEpoch: number;
  readonly valBatches: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** Training batches between mid-epoch validations (0: epoch end only). */
  readonly valEvery: number;
}

/**
 * Epoch length, validation length and run length per the limits (`limitTrainBatches`,
 * `fastDevRun`, `overfitBatches`, `maxSteps`) and `valCheckInterval`.
 * @example const plan = planFit(trainer.options, trainLoader, valLoader); plan.stepsPerEpoch
 */
export function planFit(o: ResolvedTrainerOptions, train: BatchSource, val?: BatchSource): FitPlan {
  const devRun = o.fastDevRun === true ? 1 : o.fastDevRun || 0;
  const batchesPerEpoch = devRun || o.overfitBatches || limitBatches(train.numBatches, o.limitTrainBatches);
  if (train.numBatches === 0 || batchesPerEpoch === 0) {
    throw new KilnError(CoreErrorCodes.TRAINER_EMPTY_DATA, 'The training data has no batches: check the dataset path and that batchSize ≤ the number of samples (or set dropLast: false).');
  }
  const valBatches = val ? (devRun || o.overfitBatches || limitBatches(val.numBatches, o.limitValBatches)) : 0;
  const maxEpochs = devRun ? 1 : o.maxEpochs;
  const stepsPerEpoch = Math.ceil(batchesPerEpoch / o.accumulateGradBatches);
  const totalSteps = o.maxSteps > 0 ? o.maxSteps : stepsPerEpoch * maxEpochs;
  const valEvery = val && !devRun ? valCheckBatches(o.valCheckInterval, batchesPerEpoch) : 0;
  return { devRun, maxEpochs, batchesPerEpoch, valBatches, stepsPerEpoch, totalSteps, valEvery };
}
