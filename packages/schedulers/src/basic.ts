import { type BaseScheduleOptions, CountingSchedule } from './base.js';
import { checkOption } from './errors.js';

/**
 * The base LR throughout (PyTorch without a scheduler).
 * @example const s = new ConstantSchedule(1e-3); s.step(); s.lr; // 0.001
 */
export class ConstantSchedule extends CountingSchedule {
  constructor(baseLr: number, options: BaseScheduleOptions = {}) {
    super('constant', baseLr, options);
  }

  protected lrAt(): number {
    return this.baseLr;
  }
}
