import type { LrSchedule } from '@kiln/core-trainer';
import type { Interval } from './base.js';
import { ScheduleErrorCodes, checkOption, scheduleError } from './errors.js';

export interface PlateauOptions {
  /** 'min' (default): lower is better (loss); 'max': higher is better (accuracy, Dice). */
  readonly mode?: 'min' | 'max';
  /** Multiply the LR by this on a plateau. Default 0.1. */
  readonly factor?: number;
  /** Epochs without improvement tolerated before reducing. Default 10. */
  readonly patience?: number;
  /** Minimum change that counts as an improvement. Default 1e-4. */
  readonly threshold?: number;
  /** 'rel' (default): relative to the best value; 'abs': absolute. */
  readonly thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again. Default 0. */
  readonly cooldown?: number;
  /** Lower bound of the LR. Default 0. */
  readonly minLr?: number;
  /** Reductions smaller than this are skipped. Default 1e-8. */
  readonly eps?: number;
  /** Default 'epoch' (stepped after validation with the monitored value). */
  readonly interval?: Interval;
}

interface PlateauState { best: number; numBad: number; cooldownCounter: number; lr: number; count: number }

/**
 * PyTorch's `ReduceLROnPlateau`: `step(metric)` after each validation; when the metric has not
 * improved for more than `patience` epochs the LR is multiplied by `factor` (not below `minLr`).
 * A NaN metric counts as no improvement; a missing one throws KILN_SCHEDULE_METRIC_MISSING.
 * @example const s = new ReduceOnPlateauSchedule(1e-3, { mode: 'max', patience: 3 }); s.step(valDice);
 */
export class ReduceOnPlateauSchedule implements LrSchedule {
  readonly name = 'reduce-on-plateau';
  readonly interval: Interval;
  readonly #o: Required<Omit<PlateauOptions, 'interval'>>;
  #s: PlateauState;

  constructor(readonly baseLr: number, options: PlateauOptions = {}) {
    this.interval = options.interval ?? 'epoch';
    const o = {
      mode: options.mode ?? 'min', factor: options.factor ?? 0.1, patience: options.patience ?? 10, threshold: options.threshold ?? 1e-4,
      thresholdMode: options.thresholdMode ?? 'rel', cooldown: options.cooldown ?? 0, minLr: options.minLr ?? 0, eps: options.eps ?? 1e-8,
    } as const;
    const n = this.name;
    checkOption(n, 'mode', o.mode, o.mode === 'min' || o.mode === 'max', "'min' or 'max'");
    checkOption(n, 'thresholdMode', o.thresholdMode, o.thresholdMode === 'rel' || o.thresholdMode === 'abs', "'rel' or 'abs'");
    checkOption(n, 'factor', o.factor, o.factor > 0 && o.factor < 1, 'in (0, 1)');
    checkOption(n, 'patience', o.patience, Number.isInteger(o.patience) && o.patience >= 0, 'a whole number >= 0');
    checkOption(n, 'cooldown', o.cooldown, Number.isInteger(o.cooldown) && o.cooldown >= 0, 'a whole number >= 0');
    checkOption(n, 'threshold', o.threshold, Number.isFinite(o.threshold) && o.threshold >= 0, 'a finite number >= 0');
    checkOption(n, 'minLr', o.minLr, Number.isFinite(o.minLr) && o.minLr >= 0, 'a finite number >= 0');
    checkOption(n, 'interval', this.interval, this.interval === 'step' || this.interval === 'epoch', "'step' or 'epoch'");
    checkOption(n, 'baseLr', baseLr, Number.isFinite(baseLr) && baseLr >= 0, 'a finite number >= 0');
    this.#o = o;
    this.#s = { best: o.mode === 'min' ? Infinity : -Infinity, numBad: 0, cooldownCounter: 0, lr: baseLr, count: 0 };
  }

  get lr(): number {
    return this.#s.lr;
  }

  #better(a: number, best: number): boolean {
    const { mode, thresholdMode: tm, threshold: th } = this.#o;
    if (mode === 'min') return tm === 'rel' ? a < best * (1 - th) : a < best - th;
    return tm === 'rel' ? a > best * (th + 1) : a > best + th;
  }

  step(metric?: number): void {
    if (typeof metric !== 'number') {
      scheduleError(ScheduleErrorCodes.METRIC_MISSING,
        `Schedule '${this.name}' was stepped without the monitored metric. Log the 'monitor' metric (e.g. val_loss) every ${this.interval}.`, { argument: 'metric' });
    }
    const s = this.#s;
    s.count += 1;
    if (this.#better(metric, s.best)) {
      s.best = metric;
      s.numBad = 0;
    } else {
      s.numBad += 1;
    }
    if (s.cooldownCounter > 0) {
      s.cooldownCounter -= 1;
      s.numBad = 0;
    }
    if (s.numBad > this.#o.patience) {
      const next = Math.max(s.lr * this.#o.factor, this.#o.minLr);
      if (s.lr - next > this.#o.eps) s.lr = next;
      s.cooldownCounter = this.#o.cooldown;
      s.numBad = 0;
    }
  }

  stateDict(): Record<string, unknown> {
    // ±Infinity is not JSON: store the best value as null until a metric was seen.
    return { name: this.name, ...this.#s, best: Number.isFinite(this.#s.best) ? this.#s.best : null };
  }

  loadStateDict(state: unknown): void {
    const s = state as Partial<Record<keyof PlateauState, unknown>> & { name?: unknown } | null;
    const nums = ['numBad', 'cooldownCounter', 'lr', 'count'] as const;
    if (!s || s.name !== this.name || nums.some((k) => typeof s[k] !== 'number') || !(s.best === null || typeof s.best === 'number')) {
      scheduleError(ScheduleErrorCodes.STATE_INVALID, `Schedule '${this.name}': saved state ${JSON.stringify(s)} is not a '${this.name}' state.`, { expected: this.name });
    }
    const best = s.best === null ? (this.#o.mode === 'min' ? Infinity : -Infinity) : (s.best as number);
    this.#s = { best, numBad: s.numBad as number, cooldownCounter: s.cooldownCounter as number, lr: s.lr as number, count: s.count as number };
  }
}
