import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { KilnError, type Logger, type RunStatus } from '@kiln/core-trainer';
import { LoggerErrorCodes } from './errors.js';
import { numberToText, textToNumber } from './internal/format.js';

export interface JsonlLoggerOptions {
  /** The file to append to, e.g. `runs/<name>/history.jsonl`; its folder is created. */
  readonly path: string;
  /** Clock for the `time` field (ms since the epoch); tests pass a fixed one. */
  readonly now?: () => number;
}

/** One line of a history file: `step`, `time` (ms since the epoch) and the logged values. */
export type HistoryRow = { step: number; time: number } & Record<string, number>;

/**
 * Appends one JSON line per `logMetrics` call: `{"step":12,"time":1700000000000,"loss":0.5}`.
 * Each line is written whole by a single append, so a crash leaves every complete line intact
 * and at most one torn last line, which `readHistory` ignores. NaN and ±Infinity are written as
 * the strings "NaN", "Infinity", "-Infinity" and read back as numbers. Values named `step` or
 * `time` are dropped (those names are the row's own fields). A resumed run appends to the file,
 * after cutting off a torn last line left by a crash.
 * @example const log = new JsonlLogger({ path: 'runs/a/history.jsonl' }); log.logMetrics(1, { loss: 0.5 });
 */
export class JsonlLogger implements Logger {
  readonly name = 'jsonl';
  readonly path: string;
  readonly #now: () => number;

  constructor(options: JsonlLoggerOptions) {
    this.path = options.path;
    this.#now = options.now ?? Date.now;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      if (existsSync(this.path)) cutTornTail(this.path);
    } catch (e) {
      throw new KilnError(LoggerErrorCodes.FILE_WRITE, `Cannot prepare history file '${this.path}': ${(e as Error).message}. Check the run directory's path and permissions.`, { cause: e });
    }
  }

  logParams(): void {
    // The resolved config is written to config.yaml by the CLI; history holds metrics only.
  }

  logMetrics(step: number, values: Readonly<Record<string, number>>): void {
    const row: Record<string, unknown> = { step, time: this.#now() };
    for (const [k, v] of Object.entries(values)) if (k !== 'step' && k !== 'time') row[k] = numberToText(v);
    try {
      appendFileSync(this.path, `${JSON.stringify(row)}\n`);
    } catch (e) {
      throw new KilnError(LoggerErrorCodes.FILE_WRITE, `Cannot append to history file '${this.path}': ${(e as Error).message}. Check free space and permissions.`, { cause: e });
    }
  }

  finish(_status: RunStatus): void {
    // Every line is already on disk.
  }
}

/**
 * Reads a history file written by `JsonlLogger`: one row per complete line, in file order. A torn
 * or unreadable line (a crash mid-write) is skipped. With `merge: true`, rows of the same step are
 * merged into one (later values win), in order of each step's first appearance — the view a
 * resumed run wants, since it re-logs steps after its checkpoint.
 * @example const rows = readHistory('runs/a/history.jsonl', { merge: true }); rows.at(-1)?.loss
 */
export function readHistory(path: string, options: { merge?: boolean } = {}): HistoryRow[] {
  const rows: HistoryRow[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (!parsed || typeof parsed !== 'object' || typeof (parsed as HistoryRow).step !== 'number') continue;
    const row: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(parsed)) row[k] = textToNumber(v);
    rows.push(row as HistoryRow);
  }
  if (!options.merge) return rows;
  const byStep = new Map<number, HistoryRow>();
  for (const r of rows) byStep.set(r.step, Object.assign(byStep.get(r.step) ?? ({} as HistoryRow), r));
  return [...byStep.values()];
}

/** Cuts a partial last line (no trailing newline) off the file. */
function cutTornTail(path: string): void {
  const buf = readFileSync(path);
  if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return;
  truncateSync(path, buf.lastIndexOf(0x0a) + 1);
}
