import type { Callback, HookContext, Logger } from '@kiln/core-trainer';
import { extrasOf } from './internal/plan.js';

export interface LearningRateMonitorOptions {
  /** Record at every optimizer step (`step`) or at epoch ends (`epoch`, default). */
  readonly loggingInterval?: 'step' | 'epoch';
  /** Loggers to send the values to (the trainer's own loggers are used through `ctx.log` when it offers one). */
  readonly loggers?: readonly Logger[];
}

/** One recorded LR reading. */
export interface LrRecord {
  readonly epoch: number;
  readonly step: number;
  readonly values: Readonly<Record<string, number>>;
}

/**
 * Records the learning rate of every parameter group (Lightning's LearningRateMonitor) as `lr`
 * (one group) or `lr/<group>`, at each step or epoch end, into `records` and to the given loggers.
 * It reads the optimizer when the trainer passes it (`ctx.optimizer`), else the `lr*` keys of the
 * logs. Reading an LR is host-side, so per-step recording costs no tensor read-back.
 * @example new LearningRateMonitor({ loggingInterval: 'step', loggers: [jsonl] })
 */
export class LearningRateMonitor implements Callback {
  readonly name = 'lr-monitor';
  readonly records: LrRecord[] = [];
  readonly #o: LearningRateMonitorOptions;
  #lastStep = -1;

  constructor(options: LearningRateMonitorOptions = {}) {
    this.#o = options;
  }

  async onBatchEnd(ctx: HookContext): Promise<void> {
    if (this.#o.loggingInterval === 'step' && ctx.state.globalStep !== this.#lastStep) await this.#record(ctx);
  }

  async onEpochEnd(ctx: HookContext): Promise<void> {
    if ((this.#o.loggingInterval ?? 'epoch') === 'epoch') await this.#record(ctx);
  }

  /** The current LR per group as logged keys. */
  static read(ctx: HookContext): Record<string, number> {
    const opt = extrasOf(ctx).optimizer;
    if (opt) {
      const groups = opt.groups;
      if (groups.length === 1) return { lr: opt.getLr(0) };
      return Object.fromEntries(groups.map((g, i) => [`lr/${g.name}`, opt.getLr(i)]));
    }
    return Object.fromEntries(Object.entries(ctx.logs).filter(([k]) => /^lr($|\/)/.test(k)));
  }

  async #record(ctx: HookContext): Promise<void> {
    const values = LearningRateMonitor.read(ctx);
    if (!Object.keys(values).length) return;
    this.#lastStep = ctx.state.globalStep;
    this.records.push({ epoch: ctx.state.epoch, step: ctx.state.globalStep, values });
    extrasOf(ctx).log?.(values);
    for (const l of this.#o.loggers ?? []) await l.logMetrics(ctx.state.globalStep, values);
  }
}
