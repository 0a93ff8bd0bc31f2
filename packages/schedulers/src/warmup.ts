import type { LrSchedule } from '@kiln/core-trainer';
import { ScheduleErrorCodes, checkOption, scheduleError } from './errors.js';

export interface WarmupOptions {
  /** Warmup length, in the wrapped schedule's unit (steps or epochs). */
  readonly warmup: number;
  /** LR factor at the first step; it rises linearly to 1 over `warmup`. Default 0.01. */
  readonly startFactor?: number;
}

/**
 * Linear warmup in front of any schedule, as PyTorch's
 * `SequentialLR([LinearLR(start_factor, total_iters=warmup), inner], milestones=[warmup])`:
 * `base·(startFactor + (1 − startFactor)·t/warmup)` for `t < warmup`, then the inner schedule
 * from its own start. The inner schedule is not stepped during warmup.
 * @example const s = new LinearWarmup(new CosineSchedule(0.1, { tMax: 90 }), 0.1, { warmup: 10 });
 */
export class LinearWarmup implements LrSchedule {
  readonly name = 'warmup';
  readonly interval: LrSchedule['interval'];
  #count = 0;

  constructor(readonly inner: LrSchedule, readonly baseLr: number, readonly options: WarmupOptions) {
    this.interval = inner.interval;
    checkOption(this.name, 'warmup', options.warmup, Number.isInteger(options.warmup) && options.warmup >= 1, 'a whole number >= 1');
    const f = options.startFactor ?? 0.01;
    checkOption(this.name, 'startFactor', f, f >= 0 && f <= 1, 'in [0, 1]');
  }

  get lr(): number {
    const { warmup, startFactor = 0.01 } = this.options;
    if (this.#count < warmup) return this.baseLr * (startFactor + ((1 - startFactor) * this.#count) / warmup);
    return this.inner.lr;
  }

  step(metric?: number): void {
    this.#count += 1;
    if (this.#count > this.options.warmup) this.inner.step(metric);
  }

  stateDict(): Record<string, unknown> {
    return { name: this.name, count: this.#count, inner: this.inner.stateDict() };
  }

  loadStateDict(state: unknown): void {
    const s = state as { name?: unknown; count?: unknown; inner?: unknown } | null;
    if (!s || s.name !== this.name || typeof s.count !== 'number') {
      scheduleError(ScheduleErrorCodes.STATE_INVALID, `Schedule 'warmup': saved state ${JSON.stringify(s)} is not a warmup state.`, { expected: this.name });
    }
    this.inner.loadStateDict(s.inner);
    this.#count = s.count;
  }
}
