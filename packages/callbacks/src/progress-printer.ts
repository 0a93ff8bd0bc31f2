import type { Callback, HookContext } from '@kiln/core-trainer';
import { formatDuration, formatLogs } from './internal/format.js';
import { type Clock, defaultClock, planOf } from './internal/plan.js';

/** Anything with `write(string)`: `process.stdout`, a file stream, a test sink. */
export interface TextSink {
  write(text: string): unknown;
}

export interface ProgressPrinterOptions {
  /** Where lines go (default `process.stdout`). */
  readonly stream?: TextSink;
  /** Total epochs for `epoch 3/10` and the ETA, when the loop state does not carry `maxEpochs`. */
  readonly maxEpochs?: number;
  /** Only these log keys, in the usual order (default: all). */
  readonly keys?: readonly string[];
  /** Clock in ms (tests). */
  readonly now?: Clock;
}

/**
 * Prints one line per epoch end:
 * `epoch 3/10  loss 0.412  val_loss 0.398  val_dice 0.712  lr 1.0e-3  12.3s  ETA 1m26s`.
 * The epoch shown is 1-based (`state.epoch + 1`); the time is the epoch's wall time from
 * `onEpochBegin`, and the ETA is the mean epoch time so far times the epochs left (omitted
 * when the total is unknown).
 * @example new ProgressPrinter({ stream: process.stderr, maxEpochs: 10 })
 */
export class ProgressPrinter implements Callback {
  readonly name = 'progress';
  readonly #stream: TextSink;
  readonly #now: Clock;
  #epochStart = 0;
  #epochs = 0;
  #totalMs = 0;

  constructor(readonly options: ProgressPrinterOptions = {}) {
    this.#stream = options.stream ?? process.stdout;
    this.#now = options.now ?? defaultClock;
  }

  onTrainBegin(): void {
    this.#epochs = 0;
    this.#totalMs = 0;
  }

  onEpochBegin(): void {
    this.#epochStart = this.#now();
  }

  onEpochEnd(ctx: HookContext): void {
    const elapsed = this.#now() - this.#epochStart;
    this.#epochs += 1;
    this.#totalMs += elapsed;
    const total = this.options.maxEpochs ?? planOf(ctx).maxEpochs;
    const epoch = ctx.state.epoch + 1;
    const parts = [total === undefined ? `epoch ${epoch}` : `epoch ${epoch}/${total}`];
    const logs = formatLogs(ctx.logs, this.options.keys);
    if (logs) parts.push(logs);
    parts.push(formatDuration(elapsed));
    if (total !== undefined && total > epoch) parts.push(`ETA ${formatDuration((this.#totalMs / this.#epochs) * (total - epoch))}`);
    this.#stream.write(`${parts.join('  ')}\n`);
  }
}
