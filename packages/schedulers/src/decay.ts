import { type BaseScheduleOptions, CountingSchedule } from './base.js';
import { checkOption } from './errors.js';

const positive = (x: number) => Number.isFinite(x) && x > 0;

export interface StepOptions extends BaseScheduleOptions {
  /** Multiply the LR by `gamma` every `stepSize` steps (or epochs). */
  readonly stepSize: number;
  /** Default 0.1. */
  readonly gamma?: number;
}

/**
 * PyTorch's `StepLR`: `base · gamma^⌊t / stepSize⌋`.
 * @example const s = new StepSchedule(0.1, { stepSize: 30, gamma: 0.1 });
 */
export class StepSchedule extends CountingSchedule {
  readonly #o: StepOptions;

  constructor(baseLr: number, options: StepOptions) {
    super('step', baseLr, options);
    checkOption(this.name, 'stepSize', options.stepSize, Number.isInteger(options.stepSize) && options.stepSize >= 1, 'a whole number >= 1');
    checkOption(this.name, 'gamma', options.gamma ?? 0.1, positive(options.gamma ?? 0.1), 'a finite number > 0');
    this.#o = options;
  }

  protected lrAt(t: number): number {
    return this.baseLr * (this.#o.gamma ?? 0.1) ** Math.floor(t / this.#o.stepSize);
  }
}

export interface MultiStepOptions extends BaseScheduleOptions {
  /** Steps (or epochs) at which the LR is multiplied by `gamma`; increasing. */
  readonly milestones: readonly number[];
  /** Default 0.1. */
  readonly gamma?: number;
}

/**
 * PyTorch's `MultiStepLR`: `base · gamma^(number of milestones ≤ t)`.
 * @example const s = new MultiStepSchedule(0.1, { milestones: [30, 80] });
 */
export class MultiStepSchedule extends CountingSchedule {
  readonly #o: MultiStepOptions;

  constructor(baseLr: number, options: MultiStepOptions) {
    super('multi-step', baseLr, options);
    const m = options.milestones;
    checkOption(this.name, 'milestones', m, Array.isArray(m) && m.every((x, i) => Number.isInteger(x) && x >= 1 && (i === 0 || x > m[i - 1])),
      'increasing whole numbers >= 1');
    checkOption(this.name, 'gamma', options.gamma ?? 0.1, positive(options.gamma ?? 0.1), 'a finite number > 0');
    this.#o = options;
  }

  protected lrAt(t: number): number {
    return this.baseLr * (this.#o.gamma ?? 0.1) ** this.#o.milestones.filter((m) => m <= t).length;
  }
}

export interface ExponentialOptions extends BaseScheduleOptions {
  readonly gamma: number;
}

/**
 * PyTorch's `ExponentialLR`: `base · gamma^t`.
 * @example const s = new ExponentialSchedule(0.1, { gamma: 0.95 });
 */
export class ExponentialSchedule extends CountingSchedule {
  constructor(baseLr: number, readonly options: ExponentialOptions) {
    super('exponential', baseLr, options);
    checkOption(this.name, 'gamma', options.gamma, positive(options.gamma), 'a finite number > 0');
  }

  protected lrAt(t: number): number {
    return this.baseLr * this.options.gamma ** t;
  }
}

export interface PolynomialOptions extends BaseScheduleOptions {
  /** Steps (or epochs) over which the LR decays to 0. */
  readonly totalIters: number;
  /** Default 1 (linear). */
  readonly power?: number;
}

/**
 * PyTorch's `PolynomialLR`: `base · (1 − min(t, totalIters) / totalIters)^power`.
 * @example const s = new PolynomialSchedule(0.01, { totalIters: 1000, power: 0.9 }); // the DeepLab "poly" schedule
 */
export class PolynomialSchedule extends CountingSchedule {
  constructor(baseLr: number, readonly options: PolynomialOptions) {
    super('polynomial', baseLr, options);
    checkOption(this.name, 'totalIters', options.totalIters, Number.isInteger(options.totalIters) && options.totalIters >= 1, 'a whole number >= 1');
    const power = options.power ?? 1;
    checkOption(this.name, 'power', power, Number.isFinite(power) && power >= 0, 'a finite number >= 0');
  }

  protected lrAt(t: number): number {
    return this.baseLr * (1 - Math.min(t, this.options.totalIters) / this.options.totalIters) ** (this.options.power ?? 1);
  }
}
