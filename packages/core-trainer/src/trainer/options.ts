import { z } from 'zod';

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
}).strict();

export type TrainerOptions = z.input<typeof trainerOptionsSchema>;
export type ResolvedTrainerOptions = z.output<typeof trainerOptionsSchema>;

/** Batches to use out of `available`, given a count-or-fraction limit. */
export function limitBatches(available: number, limit: number | undefined): number {
  if (limit === undefined) return available;
  const n = limit < 1 ? Math.floor(available * limit) : Math.floor(limit);
  return Math.max(1, Math.min(available, n));
}
