import { KilnError } from '@kiln/core-trainer';
import { CallbackErrorCodes } from './errors.js';

export type MonitorMode = 'min' | 'max';

export interface MonitorOptions {
  /** Logged key to watch, e.g. `val_loss`, `val_dice`. */
  readonly metric: string;
  /** `auto` (default) infers `max` for accuracy-like names (acc, auc, dice, iou, f1…) and `min` for losses/errors. */
  readonly mode?: MonitorMode | 'auto';
  /** Smallest change that counts as an improvement (absolute, ≥ 0). */
  readonly minDelta?: number;
}

const MAX_LIKE = /(acc|accuracy|auc|dice|iou|jaccard|f1|fbeta|precision|recall|sensitivity|specificity|psnr|ssim|r2|kappa|map)($|[_/@])/i;
const MIN_LIKE = /(loss|error|mse|mae|rmse|hausdorff|perplexity)($|[_/@])/i;

/** Resolves `auto` to `min`/`max` from the metric's name (Keras' rule, extended to segmentation metrics). */
export function inferMode(metric: string): MonitorMode {
  if (MIN_LIKE.test(metric)) return 'min';
  if (MAX_LIKE.test(metric)) return 'max';
  throw new KilnError(CallbackErrorCodes.OPTIONS_INVALID,
    `Cannot tell whether '${metric}' should go up or down: set mode: 'min' or mode: 'max' for it.`, { details: { metric } });
}

/**
 * The one "is this better?" rule shared by EarlyStopping, ModelCheckpoint and reduce-on-plateau
 * (Keras and Lightning agree): in `min` mode `current` improves on `best` when
 * `current < best - minDelta`, in `max` mode when `current > best + minDelta` (strict). A non-finite
 * value never improves. It also warns once when the metric is never logged.
 * @example const m = new Monitor({ metric: 'val_loss', minDelta: 1e-3 }); m.isImprovement(0.5, m.worst) // true
 */
export class Monitor {
  readonly metric: string;
  readonly mode: MonitorMode;
  readonly minDelta: number;
  #checked = false;

  constructor(options: MonitorOptions) {
    if (!options.metric) throw new KilnError(CallbackErrorCodes.OPTIONS_INVALID, "A monitor needs a 'metric' (a logged key such as val_loss).");
    if (options.minDelta !== undefined && !(options.minDelta >= 0)) {
      throw new KilnError(CallbackErrorCodes.OPTIONS_INVALID, `minDelta must be ≥ 0 (got ${options.minDelta}); the mode gives the direction.`);
    }
    this.metric = options.metric;
    this.mode = !options.mode || options.mode === 'auto' ? inferMode(options.metric) : options.mode;
    this.minDelta = options.minDelta ?? 0;
  }

  /** The starting "best": +Infinity in min mode, -Infinity in max mode. */
  get worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  isImprovement(current: number, best: number): boolean {
    if (!Number.isFinite(current)) return false;
    return this.mode === 'min' ? current < best - this.minDelta : current > best + this.minDelta;
  }

  /** Strictly better, without `minDelta` (for ranking top-k checkpoints). */
  isBetter(a: number, b: number): boolean {
    return this.mode === 'min' ? a < b : a > b;
  }

  /** The metric's value in `logs`, or undefined when it is not there. */
  read(logs: Readonly<Record<string, number>>): number | undefined {
    const v = logs[this.metric];
    return typeof v === 'number' ? v : undefined;
  }

  /**
   * Call at each epoch end: at the first one where validation ran (some `val_` key, or any epoch
   * for a non-`val_` metric) and the metric is missing, `warn`s once naming the logged metrics.
   * Returns true when a warning was given.
   */
  checkLogged(logs: Readonly<Record<string, number>>, who: string, warn: (m: string) => void): boolean {
    if (this.#checked) return false;
    const keys = Object.keys(logs);
    if (this.metric.startsWith('val_') && !keys.some((k) => k.startsWith('val_'))) return false;
    this.#checked = true;
    if (this.metric in logs) return false;
    warn(`${who} monitors '${this.metric}', which is not logged. Logged metrics: ${keys.filter((k) => k !== 'epoch').join(', ') || '(none)'}. ` +
      `Set its monitor to one of them; until then it does nothing.`);
    return true;
  }

  /** Call at train end: warns once if `checkLogged` never got to look (validation never ran). */
  checkAtEnd(who: string, warn: (m: string) => void): void {
    if (this.#checked) return;
    this.#checked = true;
    warn(`${who} monitors '${this.metric}', but no validation values were logged during training (is there validation data?); it did nothing.`);
  }
}
