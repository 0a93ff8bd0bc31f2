import * as tf from '@tensorflow/tfjs-core';
import { type Callback, type HookContext, KilnError } from '@kiln/core-trainer';
import { CallbackErrorCodes } from './errors.js';
import { type WarnFn, defaultWarn } from './internal/warn.js';

/** The spans the guard measures `tf.memory().numTensors` over. */
export type LeakPhase = 'training step' | 'between steps' | 'validation' | 'epoch end';

export interface TensorLeakGuardOptions {
  /** `warn` (default, once per phase) or `fail` (throw KILN_CALLBACK_TENSOR_LEAK). */
  readonly action?: 'warn' | 'fail';
  /** Consecutive growths of a phase that count as a leak (default 3). */
  readonly patience?: number;
  /** Training steps ignored at the start, when optimizers create their slots (default 2). */
  readonly warmupSteps?: number;
  readonly warn?: WarnFn;
}

/**
 * Watches `tf.memory().numTensors` across the phases of the loop and reports a leak, naming the
 * phase, when one grows `patience` times in a row: `training step` (onBatchBegin → onBatchEnd:
 * the step, its callbacks and logging), `between steps` (onBatchEnd → next onBatchBegin: data
 * loading), `validation` (onValidationBegin → onValidationEnd) and `epoch end` (from one epoch's
 * end to the next's, minus the phases above). A phase that stays flat or shrinks resets its count.
 * @example new TensorLeakGuard({ action: 'fail', patience: 5 })
 */
export class TensorLeakGuard implements Callback {
  readonly name = 'tensor-leak-guard';
  /** Leaks reported so far (phase → growth per occurrence). */
  readonly leaks = new Map<LeakPhase, number>();
  readonly #o: Required<Omit<TensorLeakGuardOptions, 'warn'>>;
  readonly #warn: WarnFn;
  readonly #streak = new Map<LeakPhase, number>();
  #at = new Map<string, number>();
  #steps = 0;
  #inPhases = 0;

  constructor(options: TensorLeakGuardOptions = {}) {
    this.#o = { action: options.action ?? 'warn', patience: options.patience ?? 3, warmupSteps: options.warmupSteps ?? 2 };
    this.#warn = options.warn ?? defaultWarn;
  }

  onBatchBegin(ctx: HookContext): void {
    const n = tf.memory().numTensors;
    if (this.#at.has('batchEnd')) this.#span('between steps', n - this.#at.get('batchEnd')!, ctx);
    this.#at.set('batchBegin', n);
  }

  onBatchEnd(ctx: HookContext): void {
    const n = tf.memory().numTensors;
    this.#steps += 1;
    if (this.#at.has('batchBegin')) this.#span('training step', n - this.#at.get('batchBegin')!, ctx);
    this.#at.set('batchEnd', n);
  }

  onValidationBegin(): void {
    this.#at.set('valBegin', tf.memory().numTensors);
  }

  onValidationEnd(ctx: HookContext): void {
    const begin = this.#at.get('valBegin');
    if (begin !== undefined) this.#span('validation', tf.memory().numTensors - begin, ctx);
  }

  onEpochBegin(): void {
    this.#at.delete('batchEnd'); // the first step of an epoch follows epoch-end work, not a step
  }

  onEpochEnd(ctx: HookContext): void {
    const n = tf.memory().numTensors;
    const prev = this.#at.get('epochEnd');
    if (prev !== undefined) this.#span('epoch end', n - prev - this.#inPhases, ctx, false);
    this.#at.set('epochEnd', n);
    this.#inPhases = 0;
  }

  #span(phase: LeakPhase, growth: number, ctx: HookContext, inner = true): void {
    if (inner) this.#inPhases += growth;
    if (phase !== 'validation' && phase !== 'epoch end' && this.#steps <= this.#o.warmupSteps) return;
    const streak = growth > 0 ? (this.#streak.get(phase) ?? 0) + 1 : 0;
    this.#streak.set(phase, streak);
    if (streak < this.#o.patience || this.leaks.has(phase)) return;
    this.leaks.set(phase, growth);
    const message = `TensorLeakGuard: tf.memory().numTensors grew by ${growth} in the ${phase} phase ${streak} times in a row ` +
      `(epoch ${ctx.state.epoch + 1}, step ${ctx.state.globalStep}; now ${tf.memory().numTensors} tensors). ` +
      `Wrap the code of that phase in tf.tidy or dispose the tensors it creates.`;
    if (this.#o.action === 'fail') throw new KilnError(CallbackErrorCodes.TENSOR_LEAK, message, { details: { phase, growth } });
    this.#warn(message);
  }
}
