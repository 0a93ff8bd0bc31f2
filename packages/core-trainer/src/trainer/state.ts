import type * as tfl from '@tensorflow/tfjs-layers';
import type { OptimizerState } from '../contracts/optimizer.js';

/** Why `fit` returned. The CLI maps these to exit codes (README). */
export type StopReason = 'completed' | 'max_steps' | 'max_time' | 'interrupted' | 'early_stopping' | 'nan_loss' | (string & {});

/** JSON part of a checkpoint: everything but tensors needed to continue the run exactly. */
export interface TrainerStateJson {
  readonly version: 1;
  readonly epoch: number;
  readonly globalStep: number;
  readonly batchInEpoch: number;
  /** State of the trainer's RNG (seeded `Math.random` for dropout and other unseeded tfjs draws). */
  readonly rng?: readonly [number, number, number, number];
  /** Micro-batches accumulated towards the next optimizer step. */
  readonly accumulated: number;
  /** Running sum and count of this epoch's training loss. */
  readonly epochLoss: { readonly sum: number; readonly count: number };
  /** Running sum and count of the training loss since the last step log (`train_loss_step`); absent in older checkpoints. */
  readonly stepLoss?: { readonly sum: number; readonly count: number };
  /** Samples per forward/backward pass after an out-of-memory back-off (absent: whole batches). */
  readonly microBatchSize?: number;
  readonly schedules: readonly unknown[];
  readonly callbacks: Readonly<Record<string, unknown>>;
  readonly options: Readonly<Record<string, unknown>>;
}

/** What a checkpoint holds. Optimizer state tensors include the gradient accumulators (`trainer/accum/<var>`). */
export interface TrainerSnapshot {
  readonly model: tfl.LayersModel;
  readonly optimizerState: OptimizerState;
  readonly trainerState: TrainerStateJson;
}

/** Writes a snapshot to `dir` atomically (see @kiln/core-trainer's checkpoint module). */
export type CheckpointWriter = (dir: string, snapshot: TrainerSnapshot) => Promise<void>;

export interface FitResult {
  readonly stopReason: StopReason;
  readonly epochsCompleted: number;
  readonly globalStep: number;
  /** The last epoch's logs (`loss`, `val_*`, `lr`, …). */
  readonly logs: Readonly<Record<string, number>>;
  readonly durationMs: number;
  /** Set when an out-of-memory back-off split batches: the micro-batch size the run ended with. */
  readonly microBatchSize?: number;
}
