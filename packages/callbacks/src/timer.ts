import { type Callback, type HookContext, KilnError } from '@kiln/core-trainer';
import { CallbackErrorCodes } from './errors.js';
import { formatDuration } from './internal/format.js';
import { type Clock, defaultClock } from './internal/plan.js';

export interface TimerOptions {
  /** Budget for training: seconds, `"DD:HH:MM:SS"` (Lightning's form, leading parts optional) or `{ days, hours, minutes, seconds }`. */
  readonly maxTime: number | string | { days?: number; hours?: number; minutes?: number; seconds?: number };
  /** Check after every optimizer step (`step`, default) or only at epoch ends (`epoch`). */
  readonly interval?: 'step' | 'epoch';
  readonly now?: Clock;
}

/** Parses a Timer `maxTime` into milliseconds. */
export function parseMaxTime(t: TimerOptions['maxTime']): number {
  let s: number;
  if (typeof t === 'number') s = t;
  else if (typeof t === 'string') {
    const parts = t.split(':');
    if (parts.length > 4 || !parts.every((p) => /^\d+(\.\d+)?$/.test(p))) s = Number.NaN;
    else s = parts.map(Number).reverse().reduce((acc, v, i) => acc + v * [1, 60, 3600, 86400][i], 0);
  } else s = (t.days ?? 0) * 86400 + (t.hours ?? 0) * 3600 + (t.minutes ?? 0) * 60 + (t.seconds ?? 0);
  if (!(s > 0) || !Number.isFinite(s)) {
    throw new KilnError(CallbackErrorCodes.OPTIONS_INVALID, `Timer maxTime ${JSON.stringify(t)} is not a positive duration: use seconds, "DD:HH:MM:SS" or { hours, minutes }.`);
  }
  return s * 1000;
}

/**
 * Stops training once the time spent training (train and validation, summed over resumes: the
 * elapsed time is saved in checkpoints, as Lightning's Timer does) reaches `maxTime`. Calls
 * `ctx.stop('max_time')`. `elapsedMs` and `remainingMs` are readable at any time.
 * @example new Timer({ maxTime: '00:02:00:00' }) // two hours
 */
export class Timer implements Callback {
  readonly name = 'timer';
  readonly stateKey = 'timer';
  readonly maxMs: number;
  /** Why it stopped, once it has. */
  stopMessage?: string;
  readonly #interval: 'step' | 'epoch';
  readonly #now: Clock;
  #before = 0;
  #start?: number;

  constructor(options: TimerOptions) {
    this.maxMs = parseMaxTime(options.maxTime);
    this.#interval = options.interval ?? 'step';
    this.#now = options.now ?? defaultClock;
  }

  get elapsedMs(): number {
    return this.#before + (this.#start === undefined ? 0 : this.#now() - this.#start);
  }

  get remainingMs(): number {
    return Math.max(0, this.maxMs - this.elapsedMs);
  }

  onTrainBegin(): void {
    this.#start = this.#now();
  }

  onTrainEnd(): void {
    this.#before = this.elapsedMs;
    this.#start = undefined;
  }

  onBatchEnd(ctx: HookContext): void {
    if (this.#interval === 'step') this.#check(ctx);
  }

  onEpochEnd(ctx: HookContext): void {
    this.#check(ctx);
  }

  #check(ctx: HookContext): void {
    if (this.elapsedMs >= this.maxMs) {
      this.stopMessage = `Time limit reached: trained ${formatDuration(this.elapsedMs)} of maxTime ${formatDuration(this.maxMs)}.`;
      ctx.stop('max_time');
    }
  }

  stateDict(): { elapsedMs: number } {
    return { elapsedMs: this.elapsedMs };
  }

  loadStateDict(state: unknown): void {
    const e = (state as { elapsedMs?: unknown } | undefined)?.elapsedMs;
    if (typeof e !== 'number' || !(e >= 0)) throw new KilnError(CallbackErrorCodes.STATE_INVALID, 'Timer state in the checkpoint is not { elapsedMs }: resume with the same callbacks.');
    this.#before = e;
    if (this.#start !== undefined) this.#start = this.#now();
  }
}
