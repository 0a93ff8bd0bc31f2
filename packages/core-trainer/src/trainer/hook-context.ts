import type { HookContext, LoopState } from '../contracts/callback.js';
import type { TrainingModule } from '../contracts/module.js';
import type { Optimizer } from '../contracts/optimizer.js';
import type { HookTimings } from './callback-dispatcher.js';

/** Where a fit's hook contexts read their live values from. */
export interface ContextSources {
  readonly module: TrainingModule;
  readonly optimizer?: Optimizer;
  readonly runDir?: string;
  readonly timings?: HookTimings;
  /** Run length shown in every `ctx.state` (epochs, batches per epoch, optimizer steps). */
  readonly totals?: Pick<LoopState, 'maxEpochs' | 'batchesPerEpoch' | 'totalSteps'>;
  state(): LoopState;
  logs(): Readonly<Record<string, number>>;
  stopReason?(): string | undefined;
  stopMessage?(): string | undefined;
  stop(reason: string, message?: string): void;
  log?(values: Readonly<Record<string, number>>): Promise<void>;
  warn?(message: string): void;
  saveCheckpoint(dir: string): Promise<void>;
}

export type ContextFactory = (extra?: Partial<HookContext>) => HookContext;

/**
 * Makes the one context object hooks receive (ARCHITECTURE §6), fresh per call: the loop state
 * with the run totals, the latest logs, live `stopReason`/`stopMessage` (a later callback in the
 * same hook sees an earlier one's stop) and the trainer's actions; `extra` overrides fields.
 * @example const ctx = hookContexts(sources); await dispatcher.call('onEpochBegin', ctx());
 */
export function hookContexts(src: ContextSources): ContextFactory {
  return (extra = {}) => ({
    state: { ...src.state(), ...src.totals }, logs: src.logs(), module: src.module, runDir: src.runDir, optimizer: src.optimizer,
    hookTimings: src.timings,
    get stopReason() { return src.stopReason?.(); },
    get stopMessage() { return src.stopMessage?.(); },
    stop: (reason: string, message?: string) => src.stop(reason, message),
    log: src.log && ((values) => src.log!(values)),
    warn: src.warn,
    saveCheckpoint: (dir: string) => src.saveCheckpoint(dir),
    ...extra,
  });
}
