import { type Callback, type HookContext, KilnError } from '@kiln/core-trainer';
import { CallbackErrorCodes } from './errors.js';
import { type EncodedWeights, type WeightSnapshot, decodeWeights, encodeWeights, restoreWeights, snapshotWeights } from './internal/weights.js';
import { type WarnFn, defaultWarn } from './internal/warn.js';
import { Monitor, type MonitorMode } from './monitor.js';

export interface EarlyStoppingOptions {
  /** Logged key to watch (default `val_loss`). */
  readonly monitor?: string;
  readonly mode?: MonitorMode | 'auto';
  /** Epochs without improvement before stopping (default 3, as Lightning; Keras uses 0). */
  readonly patience?: number;
  readonly minDelta?: number;
  /** The patience counter only resets once the metric also beats this value (Keras). */
  readonly baseline?: number;
  /** On stopping, put back the weights of the best epoch (Keras: only when it stops early). */
  readonly restoreBestWeights?: boolean;
  /** Ignore epochs before this (0-based) epoch (Keras' start_from_epoch). */
  readonly startFromEpoch?: number;
  /** Stop as soon as the metric is NaN or infinite (Lightning's check_finite; default true). */
  readonly checkFinite?: boolean;
  readonly warn?: WarnFn;
}

interface State { wait: number; best: number; bestEpoch: number; stoppedEpoch: number; bestWeights?: EncodedWeights }

/**
 * Stops training when `monitor` has not improved for `patience` epochs, checked at each epoch end
 * (after validation). Keras semantics: the wait counter counts epochs since the last improvement
 * (`current < best - minDelta` in min mode); with `baseline` it resets only when the value also
 * beats the baseline; it never stops at the first epoch. `restoreBestWeights` restores the best
 * epoch's weights when it stops. Lightning's `check_finite` is on by default. State (wait, best,
 * best weights) is saved in checkpoints. Calls `ctx.stop('early_stopping')`.
 * @example new EarlyStopping({ monitor: 'val_dice', mode: 'max', patience: 5, restoreBestWeights: true })
 */
export class EarlyStopping implements Callback {
  readonly name = 'early-stopping';
  readonly stateKey: string;
  readonly monitor: Monitor;
  readonly patience: number;
  /** Why it stopped, in words, once it has. */
  stopMessage?: string;
  #s: State;
  #bestWeights?: WeightSnapshot;
  readonly #o: EarlyStoppingOptions;
  readonly #warn: WarnFn;

  constructor(options: EarlyStoppingOptions = {}) {
    this.#o = options;
    this.monitor = new Monitor({ metric: options.monitor ?? 'val_loss', mode: options.mode, minDelta: options.minDelta });
    this.patience = options.patience ?? 3;
    if (!Number.isInteger(this.patience) || this.patience < 0) {
      throw new KilnError(CallbackErrorCodes.OPTIONS_INVALID, `EarlyStopping patience must be an integer ≥ 0 (got ${options.patience}).`);
    }
    this.stateKey = `early-stopping:${this.monitor.metric}`;
    this.#warn = options.warn ?? defaultWarn;
    this.#s = this.#fresh();
  }

  #fresh(): State {
    return { wait: 0, best: this.monitor.worst, bestEpoch: -1, stoppedEpoch: -1 };
  }

  get best(): number { return this.#s.best; }
  get bestEpoch(): number { return this.#s.bestEpoch; }
  get wait(): number { return this.#s.wait; }
  /** The (0-based) epoch at which it stopped training, or -1. */
  get stoppedEpoch(): number { return this.#s.stoppedEpoch; }

  onEpochEnd(ctx: HookContext): void {
    const m = this.monitor;
    m.checkLogged(ctx.logs, 'EarlyStopping', this.#warn);
    const current = m.read(ctx.logs);
    const epoch = ctx.state.epoch;
    if (current === undefined || epoch < (this.#o.startFromEpoch ?? 0)) return;
    const s = this.#s;
    if (!Number.isFinite(current) && (this.#o.checkFinite ?? true)) {
      this.#stop(ctx, `${m.metric} = ${current} is not finite at epoch ${epoch + 1}`);
      return;
    }
    s.wait += 1;
    if (m.isImprovement(current, s.best)) {
      s.best = current;
      s.bestEpoch = epoch;
      if (this.#o.restoreBestWeights) this.#bestWeights = snapshotWeights(ctx.module.model);
      if (this.#o.baseline === undefined || m.isImprovement(current, this.#o.baseline)) s.wait = 0;
      return;
    }
    if (s.wait >= this.patience && epoch > 0) {
      this.#stop(ctx, `${m.metric} did not improve on ${s.best} (epoch ${s.bestEpoch + 1}) for ${s.wait} epochs (patience ${this.patience})`);
    }
  }

  onTrainEnd(): void {
    this.monitor.checkAtEnd('EarlyStopping', this.#warn);
  }

  #stop(ctx: HookContext, why: string): void {
    this.#s.stoppedEpoch = ctx.state.epoch;
    let restored = '';
    if (this.#o.restoreBestWeights && this.#bestWeights) {
      restoreWeights(ctx.module.model, this.#bestWeights);
      restored = `; restored the weights of epoch ${this.#s.bestEpoch + 1}`;
    }
    this.stopMessage = `Early stopping at epoch ${ctx.state.epoch + 1}: ${why}${restored}.`;
    ctx.stop('early_stopping');
  }

  stateDict(): State {
    return { ...this.#s, ...(this.#bestWeights ? { bestWeights: encodeWeights(this.#bestWeights) } : {}) };
  }

  loadStateDict(state: unknown): void {
    const s = state as Partial<State> | undefined;
    if (typeof s?.wait !== 'number' || typeof s.best !== 'number' || typeof s.bestEpoch !== 'number') {
      throw new KilnError(CallbackErrorCodes.STATE_INVALID, `EarlyStopping state in the checkpoint is not { wait, best, bestEpoch }: resume with the same callbacks.`);
    }
    this.#s = { wait: s.wait, best: s.best, bestEpoch: s.bestEpoch, stoppedEpoch: s.stoppedEpoch ?? -1 };
    this.#bestWeights = s.bestWeights ? decodeWeights(s.bestWeights) : undefined;
  }
}
