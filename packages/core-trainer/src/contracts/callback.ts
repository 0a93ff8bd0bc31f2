import type * as tf from '@tensorflow/tfjs-core';
import type { Batch } from './dataset.js';
import type { TrainingModule } from './module.js';
import type { Optimizer } from './optimizer.js';

/** Where the loop is. `batchInEpoch` counts completed batches of the current epoch. */
export interface LoopState {
  readonly epoch: number;
  readonly globalStep: number;
  readonly batchInEpoch: number;
  /** Run length, when known: epochs, batches per epoch and optimizer steps in all (for progress and ETA). */
  readonly maxEpochs?: number;
  readonly batchesPerEpoch?: number;
  readonly totalSteps?: number;
}

/**
 * The one object every hook receives. `logs` holds the latest values known at this hook:
 * at `onBatchEnd` the step values read at this step (only every `logEveryNSteps`: otherwise
 * empty, so nothing is read back per batch) and the `val_*` values of a mid-epoch validation
 * (`valCheckInterval`) run at this step, at `onEpochEnd` the epoch's train and validation
 * values (`loss`, `val_loss`, `val_dice`, `lr`…).
 */
export interface HookContext {
  readonly state: LoopState;
  readonly logs: Readonly<Record<string, number>>;
  readonly module: TrainingModule;
  readonly batch?: Batch;
  /** Set in `onException`: what was thrown. */
  readonly error?: unknown;
  /** Why training stops, as soon as anyone asked (live: a later callback in the same hook sees it). */
  readonly stopReason?: string;
  /** The human-readable message given with the stop, if any. */
  readonly stopMessage?: string;
  /** Only in `onBeforeOptimizerStep`: the final (accumulated, clipped) gradients by variable name; valid during the hook only. */
  readonly grads?: Readonly<Record<string, tf.Tensor>>;
  /** The optimizer of this fit (LR per parameter group). */
  readonly optimizer?: Optimizer;
  /** Wall time per `callback.hook` so far, in ms. */
  readonly hookTimings?: ReadonlyMap<string, { calls: number; totalMs: number }>;
  /** The run directory, when the run has one. */
  readonly runDir?: string;
  /** Ask the trainer to stop after the current hook; the first reason wins. `message` is shown in the summary. */
  stop(reason: string, message?: string): void;
  /** Send values to the run's loggers at the current global step. */
  log?(values: Readonly<Record<string, number>>): void | Promise<void>;
  /** Report a warning to the user (stderr in the CLI), once per call. */
  warn?(message: string): void;
  /** Write a full checkpoint (model, optimizer, trainer state) to `dir` atomically. */
  saveCheckpoint(dir: string): Promise<void>;
}

export type Hook = (ctx: HookContext) => void | Promise<void>;

/**
 * A callback: any object with some of these hooks. Hooks may be async. The dispatcher calls
 * callbacks in ascending `order` (default 0; checkpointing uses 100 so it runs last), times
 * each call and wraps failures in KILN_CALLBACK_FAILED naming the callback and hook.
 * Callbacks with state set `stateKey` and implement `stateDict`/`loadStateDict`.
 */
export interface Callback {
  readonly name?: string;
  readonly order?: number;
  onTrainBegin?: Hook;
  onTrainEnd?: Hook;
  onEpochBegin?: Hook;
  onEpochEnd?: Hook;
  onBatchBegin?: Hook;
  onBatchEnd?: Hook;
  onValidationBegin?: Hook;
  onValidationEnd?: Hook;
  /** After gradients are accumulated and clipped, before the optimizer applies them (`ctx.grads`). */
  onBeforeOptimizerStep?: Hook;
  onException?: Hook;
  readonly stateKey?: string;
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
}

export const HOOK_NAMES = [
  'onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd',
  'onValidationBegin', 'onValidationEnd', 'onBeforeOptimizerStep', 'onException',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];
