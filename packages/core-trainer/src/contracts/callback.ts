import type { Batch } from './dataset.js';
import type { TrainingModule } from './module.js';

/** Where the loop is. `batchInEpoch` counts completed batches of the current epoch. */
export interface LoopState {
  readonly epoch: number;
  readonly globalStep: number;
  readonly batchInEpoch: number;
}

/**
 * The one object every hook receives. `logs` holds the latest values known at this hook:
 * at `onBatchEnd` the step values read at this step (only every `logEveryNSteps`: otherwise
 * empty, so nothing is read back per batch), at `onEpochEnd` the epoch's train and validation
 * values (`loss`, `val_loss`, `val_dice`, `lr`…).
 */
export interface HookContext {
  readonly state: LoopState;
  readonly logs: Readonly<Record<string, number>>;
  readonly module: TrainingModule;
  readonly batch?: Batch;
  /** Set in `onException`: what was thrown. */
  readonly error?: unknown;
  /** Why training stopped, once known (set from `onTrainEnd`). */
  readonly stopReason?: string;
  /** The run directory, when the run has one. */
  readonly runDir?: string;
  /** Ask the trainer to stop after the current hook; the first reason wins. */
  stop(reason: string): void;
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
  onException?: Hook;
  readonly stateKey?: string;
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
}

export const HOOK_NAMES = [
  'onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd',
  'onValidationBegin', 'onValidationEnd', 'onException',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];
