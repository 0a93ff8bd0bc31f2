import type { Callback, HookContext } from '@kiln/core-trainer';
import { formatDuration, formatLogs } from './internal/format.js';
import { type Clock, defaultClock, planOf } from './internal/plan.js';
import type { TextSink } from './progress-printer.js';

export interface ProgressBarOptions {
  /** Where to draw (default `process.stderr`); live drawing needs `isTTY`. */
  readonly stream?: TextSink & { readonly isTTY?: boolean; readonly columns?: number };
  /** Environment to read `CI` and `NO_COLOR` from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Batches per epoch and epochs, when the loop state does not carry them. */
  readonly stepsPerEpoch?: number;
  readonly maxEpochs?: number;
  /** Live mode: redraw at most this often (default 100 ms). */
  readonly refreshMs?: number;
  /** Plain mode: print a line at most this often (default 30 s). */
  readonly printEverySec?: number;
  readonly now?: Clock;
}

const GREEN = '\x1b[32m';
const RESET = '\x1b[0m';

/**
 * A live progress bar on a terminal — `epoch 2/10 ━━━━━━╸──── 45/100 12.3it/s ETA 4.5s loss 0.412` —
 * redrawn in place; when the stream is not a TTY or `CI` is set it prints plain lines every
 * `printEverySec` instead. Colours only on a TTY and never when `NO_COLOR` is set (no-color.org).
 * Each epoch ends with one permanent line like ProgressPrinter's. it/s counts batches.
 * @example new ProgressBar() // draws on stderr
 */
export class ProgressBar implements Callback {
  readonly name = 'progress-bar';
  readonly live: boolean;
  readonly color: boolean;
  readonly #stream: NonNullable<ProgressBarOptions['stream']>;
  readonly #o: ProgressBarOptions;
  readonly #now: Clock;
  #epochStart = 0;
  #lastDraw = -Infinity;
  #logs: Record<string, number> = {};
  #epochTimes: number[] = [];
  #drawn = false;
  #phase = '';

  constructor(options: ProgressBarOptions = {}) {
    this.#o = options;
    this.#stream = options.stream ?? process.stderr;
    const env = options.env ?? process.env;
    const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
    this.live = Boolean(this.#stream.isTTY) && !ci;
    this.color = this.live && !env.NO_COLOR;
    this.#now = options.now ?? defaultClock;
  }

  onEpochBegin(): void {
    this.#epochStart = this.#now();
    this.#lastDraw = this.live ? -Infinity : this.#epochStart;
    this.#logs = {};
    this.#phase = '';
  }

  onBatchEnd(ctx: HookContext): void {
    Object.assign(this.#logs, ctx.logs);
    const now = this.#now();
    const every = this.live ? (this.#o.refreshMs ?? 100) : (this.#o.printEverySec ?? 30) * 1000;
    if (now - this.#lastDraw < every) return;
    this.#lastDraw = now;
    this.#draw(ctx, now);
  }

  onValidationBegin(ctx: HookContext): void {
    this.#phase = 'validating';
    if (this.live) this.#draw(ctx, this.#now());
  }

  onValidationEnd(): void {
    this.#phase = '';
  }

  onEpochEnd(ctx: HookContext): void {
    const now = this.#now();
    const elapsed = now - this.#epochStart;
    this.#epochTimes.push(elapsed);
    const total = this.#o.maxEpochs ?? planOf(ctx).maxEpochs;
    const epoch = ctx.state.epoch + 1;
    const mean = this.#epochTimes.reduce((a, b) => a + b, 0) / this.#epochTimes.length;
    const parts = [this.#epochLabel(ctx), formatLogs(ctx.logs), formatDuration(elapsed)];
    if (total !== undefined && total > epoch) parts.push(`ETA ${formatDuration(mean * (total - epoch))}`);
    this.#write(parts.filter(Boolean).join('  '), true);
  }

  onTrainEnd(): void {
    if (this.live && this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }

  #epochLabel(ctx: HookContext): string {
    const total = this.#o.maxEpochs ?? planOf(ctx).maxEpochs;
    return total === undefined ? `epoch ${ctx.state.epoch + 1}` : `epoch ${ctx.state.epoch + 1}/${total}`;
  }

  #draw(ctx: HookContext, now: number): void {
    const done = ctx.state.batchInEpoch;
    const total = this.#o.stepsPerEpoch ?? planOf(ctx).stepsPerEpoch;
    const secs = (now - this.#epochStart) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const parts = [this.#epochLabel(ctx)];
    let bar = '';
    if (total) {
      const width = 20;
      const filled = Math.min(width, Math.floor((done / total) * width));
      bar = '━'.repeat(filled) + (filled < width ? '╸' + '─'.repeat(width - filled - 1) : '');
      parts.push(bar, `${done}/${total}`);
    } else parts.push(`${done}`);
    parts.push(`${rate.toFixed(1)}it/s`);
    if (total && rate > 0) parts.push(`ETA ${formatDuration(((total - done) / rate) * 1000)}`);
    if (this.#phase) parts.push(this.#phase);
    const logs = formatLogs(this.#logs);
    if (logs) parts.push(logs);
    let line = parts.join('  ');
    if (this.live) {
      const cols = (this.#stream.columns ?? 80) - 1;
      if (line.length > cols) line = line.slice(0, cols);
      if (this.color && bar && line.includes(bar)) line = line.replace(bar, `${GREEN}${bar}${RESET}`);
    }
    this.#write(line, !this.live);
  }

  #write(line: string, final: boolean): void {
    if (this.live) {
      this.#stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
      this.#drawn = !final;
    } else this.#stream.write(`${line}\n`);
  }
}
