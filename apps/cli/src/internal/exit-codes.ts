import { isKilnError } from '@kiln/core-trainer';

/**
 * Exit codes of `kiln` (documented in the README). A run that stops early says why in its
 * summary and in its exit code.
 */
export const ExitCode = {
  OK: 0, // the run completed (all epochs, or maxSteps reached)
  INTERNAL: 1, // an unexpected error (a bug): rerun with --verbose and report it
  BAD_INPUT: 2, // bad command line, config, plugin, data or checkpoint: the message says what to fix
  TRAINING_FAILED: 3, // training failed (NaN/Inf loss, backend or allocation failure)
  EARLY_STOPPED: 4, // EarlyStopping ended the run (the best weights/checkpoints are kept)
  MAX_TIME: 5, // the run reached maxTime
  INTERRUPTED: 130, // stopped by the user (Ctrl-C / SIGINT / SIGTERM) after saving a checkpoint
} as const;

const TRAINING_CODES = /^KILN_(TRAINER_NAN_LOSS|BACKEND_(MISSING_KERNEL|OOM|FAILED)|CALLBACK_NAN)/;

export function exitCodeForError(e: unknown): number {
  if (!isKilnError(e)) return ExitCode.INTERNAL;
  return TRAINING_CODES.test(e.code) ? ExitCode.TRAINING_FAILED : ExitCode.BAD_INPUT;
}

export function exitCodeForStop(reason: string): number {
  switch (reason) {
    case 'completed':
    case 'max_steps':
      return ExitCode.OK;
    case 'early_stopping':
      return ExitCode.EARLY_STOPPED;
    case 'max_time':
      return ExitCode.MAX_TIME;
    case 'interrupted':
      return ExitCode.INTERRUPTED;
    default:
      return /nan/i.test(reason) ? ExitCode.TRAINING_FAILED : ExitCode.OK;
  }
}
