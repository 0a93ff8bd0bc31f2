import { z } from 'zod';
import { CoreErrorCodes, KilnError } from '../errors.js';

/**
 * Trainer options (Lightning's names in camelCase). Counts or fractions: a value in (0, 1) is a
 * fraction of the epoch, an integer ≥ 1 a number of batches.
 */
export const trainerOptionsSchema = z.object({
  maxEpochs: z.number().int().min(1).default(10),
  /** Stop after this many optimizer steps (-1: no limit). */
  maxSteps: z.number().int().min(-1).default(-1),
  /** Stop after this many seconds of training (checked between batches). */
  maxTime: z.number().positive().optional(),
  logEveryNSteps: z.number().int().min(1).default(10),
  limitTrainBatches: z.number().positive().optional(),
  limitValBatches: z.number().positive().optional(),
  checkValEveryNEpochs: z.number().int().min(1).default(1),
  /**
   * Validate within the epoch too (Lightning's val_check_interval): a fraction of the training
   * epoch in (0, 1], or a whole number ≥ 2 of training batches. Unset or 1: at epoch end only.
   * Mid-epoch validations log `val_*` at the current step; the epoch-end one is unchanged.
   */
  valCheckInterval: z.number().positive().refine((v) => v <= 1 || Number.isInteger(v), {
    message: 'must be a fraction of the epoch in (0, 1] or a whole number of training batches',
  }).optional(),
  /** Validation batches run before training to catch bugs in the validation path (Lightning's default is 2). */
  numSanityValSteps: z.number().int().min(0).default(2),
  /** `true` or N: run N (1) batches of train and val once, for a smoke test; no checkpoints. */
  fastDevRun: z.union([z.boolean(), z.number().int().min(1)]).default(false),
  /** Train (and validate) on the first N batches only, every epoch: a sanity check that the model can overfit. */
  overfitBatches: z.number().int().min(0).default(0),
  gradientClipVal: z.number().positive().optional(),
  gradientClipAlgorithm: z.enum(['norm', 'value']).default('norm'),
  accumulateGradBatches: z.number().int().min(1).default(1),
  seed: z.number().int().default(0),
  /**
   * Run each training, validation and predict step as one compiled graph where the backend can (native
   * TensorFlow: the step's own ops, executed by a TensorFlow session, as Keras' compiled `fit`).
   * Results equal the eager ones to float round-off; `false` runs op by op (Keras' `run_eagerly=True`).
   */
  compile: z.boolean().default(true),
  /** Send a histogram of every weight tensor to loggers that support it every N epochs (0: never). */
  histogramEveryNEpochs: z.number().int().min(0).default(0),
}).strict();

export type TrainerOptions = z.input<typeof trainerOptionsSchema>;
export type ResolvedTrainerOptions = z.output<typeof trainerOptionsSchema>;

/** Batches to use out of `available`, given a count-or-fraction limit. */
export function limitBatches(available: number, limit: number | undefined): number {
  if (limit === undefined) return available;
  const n = limit < 1 ? Math.floor(available * limit) : Math.floor(limit);
  return Math.max(1, Math.min(available, n));
}

/**
 * Training batches between mid-epoch validations for `valCheckInterval` (0: at epoch end only),
 * as Lightning computes it: ⌊batches × fraction⌋ (at least 1), or the given count.
 * @example valCheckBatches(0.25, 10) // 2: validates after batches 2, 4, 6, 8 and at epoch end
 */
export function valCheckBatches(interval: number | undefined, batchesPerEpoch: number): number {
  if (interval === undefined || interval === 1) return 0;
  const n = interval < 1 ? Math.max(1, Math.floor(batchesPerEpoch * interval)) : interval;
  if (n > batchesPerEpoch) {
    throw new KilnError(CoreErrorCodes.TRAINER_INVALID_OPTION,
      `Trainer option 'valCheckInterval' (${interval} batches) is more than the ${batchesPerEpoch} training batches of an epoch: use a count ≤ ${batchesPerEpoch} or a fraction in (0, 1].`,
      { details: { valCheckInterval: interval, batchesPerEpoch } });
  }
  return n >= batchesPerEpoch ? 0 : n;
}
