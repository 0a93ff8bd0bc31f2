import type { Logger, RunStatus } from '@kiln/core-trainer';
import { formatNumber } from './internal/format.js';
import { flattenParams } from './redact.js';

export interface ConsoleLoggerOptions {
  /** Significant digits of non-integer values (default 4). */
  readonly digits?: number;
  /** Also print one line with the run's params, secrets redacted (default false). */
  readonly params?: boolean;
  /** Where lines go (default: process.stdout). */
  readonly write?: (line: string) => void;
}

/**
 * Prints one concise line per `logMetrics` call (`step 120 | loss 0.4312 | val_dice 0.8123`),
 * and one line at `finish`. Meant for epoch-level values; the progress printer callback
 * handles per-batch progress.
 * @example const log = new ConsoleLogger(); log.logMetrics(10, { loss: 0.25, epoch: 1 }); // "step 10 | epoch 1 | loss 0.25"
 */
export class ConsoleLogger implements Logger {
  readonly name = 'console';
  readonly #digits: number;
  readonly #params: boolean;
  readonly #write: (line: string) => void;

  constructor(options: ConsoleLoggerOptions = {}) {
    this.#digits = options.digits ?? 4;
    this.#params = options.params ?? false;
    this.#write = options.write ?? ((line) => void process.stdout.write(`${line}\n`));
  }

  logParams(params: Readonly<Record<string, unknown>>): void {
    if (!this.#params) return;
    const parts = Object.entries(flattenParams(params)).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    this.#write(`params | ${parts.join(' ')}`);
  }

  logMetrics(step: number, values: Readonly<Record<string, number>>): void {
    const keys = Object.keys(values);
    // "epoch" first when present, then the values in the order given.
    keys.sort((a, b) => Number(b === 'epoch') - Number(a === 'epoch'));
    const parts = keys.map((k) => `${k} ${formatNumber(values[k]!, this.#digits)}`);
    this.#write([`step ${step}`, ...parts].join(' | '));
  }

  finish(status: RunStatus): void {
    this.#write(`run ${status}`);
  }
}
