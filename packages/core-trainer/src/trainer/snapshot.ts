import * as tf from '@tensorflow/tfjs-core';
import type { StepCompiler } from '../backend/step-compiler.js';
import type { LoopState } from '../contracts/callback.js';
import type { OptimizerConfig, TrainingModule } from '../contracts/module.js';
import type { OptimizerState } from '../contracts/optimizer.js';
import { CoreErrorCodes, KilnError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { CallbackDispatcher } from './callback-dispatcher.js';
import type { ResolvedTrainerOptions } from './options.js';
import type { CheckpointWriter, TrainerSnapshot, TrainerStateJson } from './state.js';
import type { StepRunner } from './step-runner.js';

/** A checkpoint to continue from (as read back by the checkpoint module). */
export interface ResumeState {
  readonly trainerState: TrainerStateJson;
  readonly optimizerState: OptimizerState;
}

/** Everything of a running fit that a checkpoint holds. */
export interface FitParts {
  readonly module: TrainingModule;
  readonly runner: StepRunner;
  readonly config: OptimizerConfig;
  readonly dispatcher: CallbackDispatcher;
  readonly rng: Rng;
  readonly options: ResolvedTrainerOptions;
  /** Runs the gradient and optimizer work of each batch as a compiled step (the backend's, when `options.compile`). */
  readonly compiler?: StepCompiler;
}

/**
 * Writes the fit's full state with `writer` (model, optimizer state with pending gradients,
 * loop position, RNG, loss sums, schedules, callbacks, micro-batch size); the optimizer-state
 * copies are disposed afterwards.
 */
export async function saveSnapshot(writer: CheckpointWriter | undefined, dir: string, parts: FitParts, state: LoopState): Promise<void> {
  if (!writer) {
    throw new KilnError(CoreErrorCodes.TRAINER_INVALID_OPTION, 'saveCheckpoint needs a checkpointWriter: construct the Trainer with { checkpointWriter }.');
  }
  const { runner, config } = parts;
  const losses = await runner.lossState();
  const optimizerState = runner.stateDict();
  const snapshot: TrainerSnapshot = {
    model: parts.module.model,
    optimizerState,
    trainerState: {
      version: 1, epoch: state.epoch, globalStep: state.globalStep, batchInEpoch: state.batchInEpoch, rng: parts.rng.state(),
      accumulated: runner.pendingAccumulation(), epochLoss: losses.epoch, stepLoss: losses.step,
      ...(runner.microBatchSize !== undefined ? { microBatchSize: runner.microBatchSize } : {}),
      schedules: (config.schedules ?? []).map((s) => s.stateDict()), callbacks: parts.dispatcher.stateDict(),
      options: { ...parts.options },
    },
  };
  try {
    await writer(dir, snapshot);
  } finally {
    tf.dispose(Object.values(optimizerState.tensors));
  }
}

/** Loads a checkpoint's state into the fit's parts; returns the loop position to continue from. */
export function restoreSnapshot(resume: ResumeState, parts: FitParts): LoopState {
  const s = resume.trainerState;
  s.schedules.forEach((st, i) => parts.config.schedules?.[i]?.loadStateDict(st));
  parts.runner.loadStateDict(resume.optimizerState, s);
  parts.dispatcher.loadStateDict(s.callbacks);
  if (s.rng) parts.rng.setState(s.rng);
  return { epoch: s.epoch, globalStep: s.globalStep, batchInEpoch: s.batchInEpoch };
}
