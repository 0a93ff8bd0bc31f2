import { type Callback, type HookContext, KilnError } from '@kiln/core-trainer';
import { CallbackErrorCodes } from './errors.js';

/** One epoch's logs as History keeps them. `epoch` is the loop's (0-based) epoch index. */
export interface EpochRecord {
  readonly epoch: number;
  readonly step: number;
  readonly logs: Readonly<Record<string, number>>;
}

/**
 * Collects the logs of every epoch end (Keras' History). Records accumulate across `fit` calls
 * and are saved in checkpoints (`stateKey: 'history'`), so a resumed run keeps its earlier epochs;
 * an epoch logged again after a resume replaces the earlier record of that epoch.
 * @example
 * const history = new History();
 * await trainer.fit(module, data, { callbacks: [history] });
 * history.series('val_loss'); // [0.52, 0.41, …]
 */
export class History implements Callback {
  readonly name = 'history';
  readonly stateKey = 'history';
  #records: EpochRecord[] = [];

  /** Every epoch end seen so far, in epoch order. */
  get records(): readonly EpochRecord[] {
    return this.#records;
  }

  onEpochEnd(ctx: HookContext): void {
    const record: EpochRecord = { epoch: ctx.state.epoch, step: ctx.state.globalStep, logs: { ...ctx.logs } };
    this.#records = this.#records.filter((r) => r.epoch < record.epoch);
    this.#records.push(record);
  }

  /** The values of `key` per epoch (NaN where an epoch did not log it). */
  series(key: string): number[] {
    return this.#records.map((r) => r.logs[key] ?? Number.NaN);
  }

  stateDict(): { records: EpochRecord[] } {
    return { records: this.#records.map((r) => ({ ...r, logs: { ...r.logs } })) };
  }

  loadStateDict(state: unknown): void {
    const records = (state as { records?: unknown } | undefined)?.records;
    const ok = Array.isArray(records) && records.every((r) => typeof r?.epoch === 'number' && typeof r?.logs === 'object' && r.logs !== null);
    if (!ok) {
      throw new KilnError(CallbackErrorCodes.STATE_INVALID,
        "History state in the checkpoint is not { records: [{ epoch, step, logs }] }: the checkpoint's 'callbacks.history' entry is damaged or from another callback.");
    }
    this.#records = (records as EpochRecord[]).map((r) => ({ epoch: r.epoch, step: r.step ?? 0, logs: { ...r.logs } }));
  }
}
