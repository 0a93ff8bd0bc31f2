import type { LrSchedule } from '@kiln/core-trainer';
import { ScheduleErrorCodes, checkOption, scheduleError } from './errors.js';

export type Interval = 'step' | 'epoch';

export interface BaseScheduleOptions {
  /** Step the schedule after every optimizer step ('step') or after every epoch ('epoch', default). */
  readonly interval?: Interval;
}

/**
 * A schedule whose LR is a function of how many times `step()` was called (PyTorch's
 * `last_epoch`): `lr` is `lrAt(0)` = the base LR before the first step. Subclasses with more state
 * override `stateDict` / `loadStateDict` and call the base versions.
 */
export abstract class CountingSchedule implements LrSchedule {
  readonly interval: Interval;
  protected count = 0;

  constructor(readonly name: string, readonly baseLr: number, options: BaseScheduleOptions) {
    this.interval = options.interval ?? 'epoch';
    checkOption(name, 'interval', this.interval, this.interval === 'step' || this.interval === 'epoch', "'step' or 'epoch'");
    checkOption(name, 'baseLr', baseLr, Number.isFinite(baseLr) && baseLr >= 0, 'a finite number >= 0');
  }

  /** The LR after `t` calls of `step()`. */
  protected abstract lrAt(t: number): number;

  get lr(): number {
    return this.lrAt(this.count);
  }

  step(_metric?: number): void {
    this.count += 1;
  }

  stateDict(): Record<string, unknown> {
    return { name: this.name, count: this.count };
  }

  loadStateDict(state: unknown): void {
    const s = state as { name?: unknown; count?: unknown } | null;
    if (!s || s.name !== this.name || typeof s.count !== 'number' || !Number.isInteger(s.count) || s.count < 0) {
      scheduleError(ScheduleErrorCodes.STATE_INVALID,
        `Schedule '${this.name}': saved state ${JSON.stringify(s)} is not a '${this.name}' state. Resume with the same schedule.`, { expected: this.name });
    }
    this.count = s.count;
  }
}

/** The run length in the schedule's unit: total optimizer steps or epochs. */
export function runLength(interval: Interval, ctx: { totalSteps: number; maxEpochs: number }): number {
  return interval === 'step' ? ctx.totalSteps : ctx.maxEpochs;
}
