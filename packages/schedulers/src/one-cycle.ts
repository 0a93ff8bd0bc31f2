import { type BaseScheduleOptions, CountingSchedule } from './base.js';
import { checkOption } from './errors.js';

export interface OneCycleOptions extends BaseScheduleOptions {
  /** Length of the cycle in steps (usually the whole run, with interval 'step'). */
  readonly totalSteps: number;
  /** Fraction of the cycle spent increasing the LR. Default 0.3. */
  readonly pctStart?: number;
  readonly annealStrategy?: 'cos' | 'linear';
  /** Initial LR = maxLr / divFactor. Default 25. */
  readonly divFactor?: number;
  /** Final LR = initial LR / finalDivFactor. Default 1e4. */
  readonly finalDivFactor?: number;
  /** Use a third phase (back to the initial LR, then annihilate), as fast.ai. Default false. */
  readonly threePhase?: boolean;
}

/**
 * PyTorch's `OneCycleLR` LR curve, with the group's base LR as `max_lr` (momentum cycling is not
 * done). After `totalSteps` the LR stays at the final value (PyTorch raises instead).
 * @example const s = new OneCycleSchedule(0.01, { totalSteps: 1000, interval: 'step' });
 */
export class OneCycleSchedule extends CountingSchedule {
  readonly #phases: { end: number; start: number; stop: number }[];
  readonly #anneal: (start: number, stop: number, pct: number) => number;

  constructor(maxLr: number, readonly options: OneCycleOptions) {
    super('one-cycle', maxLr, options);
    const total = options.totalSteps;
    checkOption(this.name, 'totalSteps', total, Number.isInteger(total) && total >= 2, 'a whole number >= 2');
    const pct = options.pctStart ?? 0.3;
    checkOption(this.name, 'pctStart', pct, pct > 0 && pct < 1, 'in (0, 1)');
    const div = options.divFactor ?? 25;
    const finalDiv = options.finalDivFactor ?? 1e4;
    checkOption(this.name, 'divFactor', div, Number.isFinite(div) && div > 0, 'a finite number > 0');
    checkOption(this.name, 'finalDivFactor', finalDiv, Number.isFinite(finalDiv) && finalDiv > 0, 'a finite number > 0');
    const strategy = options.annealStrategy ?? 'cos';
    checkOption(this.name, 'annealStrategy', strategy, strategy === 'cos' || strategy === 'linear', "'cos' or 'linear'");
    const initial = maxLr / div;
    const min = initial / finalDiv;
    this.#phases = options.threePhase
      ? [
          { end: pct * total - 1, start: initial, stop: maxLr },
          { end: 2 * pct * total - 2, start: maxLr, stop: initial },
          { end: total - 1, start: initial, stop: min },
        ]
      : [
          { end: pct * total - 1, start: initial, stop: maxLr },
          { end: total - 1, start: maxLr, stop: min },
        ];
    this.#anneal = strategy === 'cos'
      ? (start, stop, p) => stop + ((start - stop) / 2) * (Math.cos(Math.PI * p) + 1)
      : (start, stop, p) => (stop - start) * p + start;
  }

  protected lrAt(t: number): number {
    const step = Math.min(t, this.options.totalSteps - 1);
    let startStep = 0;
    for (let i = 0; i < this.#phases.length; i++) {
      const ph = this.#phases[i];
      if (step <= ph.end || i === this.#phases.length - 1) return this.#anneal(ph.start, ph.stop, (step - startStep) / (ph.end - startStep));
      startStep = ph.end;
    }
    return this.baseLr;
  }
}
