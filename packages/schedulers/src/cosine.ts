import { type BaseScheduleOptions, CountingSchedule } from './base.js';
import { checkOption } from './errors.js';

export interface CosineOptions extends BaseScheduleOptions {
  /** Steps (or epochs) of the half cosine. */
  readonly tMax: number;
  /** Lowest LR, reached at `tMax`. Default 0. */
  readonly etaMin?: number;
}

/**
 * PyTorch's `CosineAnnealingLR`: `etaMin + (base − etaMin)·(1 + cos(π·t/tMax))/2`, continuing
 * periodically past `tMax` as PyTorch does.
 * @example const s = new CosineSchedule(0.1, { tMax: 100, interval: 'step' });
 */
export class CosineSchedule extends CountingSchedule {
  readonly #o: CosineOptions;

  constructor(baseLr: number, options: CosineOptions) {
    super('cosine', baseLr, options);
    checkOption('cosine', 'tMax', options.tMax, Number.isInteger(options.tMax) && options.tMax >= 1, 'a whole number >= 1 (steps or epochs)');
    const etaMin = options.etaMin ?? 0;
    checkOption('cosine', 'etaMin', etaMin, Number.isFinite(etaMin) && etaMin >= 0, 'a finite number >= 0');
    this.#o = options;
  }

  protected lrAt(t: number): number {
    const etaMin = this.#o.etaMin ?? 0;
    return etaMin + ((this.baseLr - etaMin) * (1 + Math.cos((Math.PI * t) / this.#o.tMax))) / 2;
  }
}

export interface WarmRestartsOptions extends BaseScheduleOptions {
  /** Length of the first cycle (steps or epochs). */
  readonly t0: number;
  /** Each cycle is `tMult` times longer than the previous one. Default 1. */
  readonly tMult?: number;
  readonly etaMin?: number;
}

/**
 * PyTorch's `CosineAnnealingWarmRestarts` (SGDR) stepped without an explicit epoch: a cosine from
 * the base LR to `etaMin` over `t0` steps, restarting with cycles `tMult` times longer each time.
 * @example const s = new CosineWarmRestartsSchedule(0.1, { t0: 10, tMult: 2, etaMin: 1e-4 });
 */
export class CosineWarmRestartsSchedule extends CountingSchedule {
  readonly #o: WarmRestartsOptions;

  constructor(baseLr: number, options: WarmRestartsOptions) {
    super('cosine-warm-restarts', baseLr, options);
    checkOption(this.name, 't0', options.t0, Number.isInteger(options.t0) && options.t0 >= 1, 'a whole number >= 1');
    const tMult = options.tMult ?? 1;
    checkOption(this.name, 'tMult', tMult, Number.isInteger(tMult) && tMult >= 1, 'a whole number >= 1');
    const etaMin = options.etaMin ?? 0;
    checkOption(this.name, 'etaMin', etaMin, Number.isFinite(etaMin) && etaMin >= 0, 'a finite number >= 0');
    this.#o = options;
  }

  protected lrAt(t: number): number {
    const tMult = this.#o.tMult ?? 1;
    let cycle = this.#o.t0;
    let tCur = t;
    if (tMult === 1) tCur = t % cycle;
    else {
      while (tCur >= cycle) {
        tCur -= cycle;
        cycle *= tMult;
      }
    }
    const etaMin = this.#o.etaMin ?? 0;
    return etaMin + ((this.baseLr - etaMin) * (1 + Math.cos((Math.PI * tCur) / cycle))) / 2;
  }
}
