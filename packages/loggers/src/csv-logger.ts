import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KilnError, type Logger, type RunStatus } from '@kiln/core-trainer';
import { LoggerErrorCodes } from './errors.js';

export interface CsvLoggerOptions {
  /** The file, e.g. `runs/<name>/history.csv`; its folder is created. */
  readonly path: string;
  /** Value columns known up front (after `step,time`); others are added when first seen. */
  readonly columns?: readonly string[];
  /** Clock for the `time` column (ms since the epoch). */
  readonly now?: () => number;
}

/**
 * Writes a CSV history: header `step,time,<value columns>`, one row per `logMetrics` call, empty
 * cells for values not logged in that call. A value name seen for the first time adds a column:
 * the file is rewritten once with the wider header (to a temporary file, then renamed, so a crash
 * keeps the old file). A resumed run continues the existing file and its columns; a torn last row
 * is cut off first. NaN and ±Infinity are written as `NaN`, `Infinity`, `-Infinity`.
 * @example const log = new CsvLogger({ path: 'runs/a/history.csv' }); log.logMetrics(1, { loss: 0.5 });
 */
export class CsvLogger implements Logger {
  readonly name = 'csv';
  readonly path: string;
  readonly #now: () => number;
  #columns: string[] = [];
  #hasHeader = false;

  constructor(options: CsvLoggerOptions) {
    this.path = options.path;
    this.#now = options.now ?? Date.now;
    this.#guard('open', () => {
      mkdirSync(dirname(this.path), { recursive: true });
      if (existsSync(this.path) && readFileSync(this.path, 'utf8').length > 0) this.#resume();
    });
    const wanted = (options.columns ?? []).filter((c) => !this.#columns.includes(c) && c !== 'step' && c !== 'time');
    if (wanted.length > 0 || !this.#hasHeader) this.#guard('write', () => this.#rewrite([...this.#columns, ...wanted]));
  }

  /** The value columns, in file order (after `step,time`). */
  get columns(): readonly string[] {
    return this.#columns;
  }

  logParams(): void {
    // Params live in config.yaml; the CSV holds metrics only.
  }

  logMetrics(step: number, values: Readonly<Record<string, number>>): void {
    const fresh = Object.keys(values).filter((k) => k !== 'step' && k !== 'time' && !this.#columns.includes(k));
    this.#guard('write', () => {
      if (fresh.length > 0) this.#rewrite([...this.#columns, ...fresh]);
      const cells = [String(step), String(this.#now()), ...this.#columns.map((c) => (c in values ? String(values[c]) : ''))];
      appendFileSync(this.path, `${cells.join(',')}\n`);
    });
  }

  finish(_status: RunStatus): void {
    // Every row is already on disk.
  }

  #resume(): void {
    let text = readFileSync(this.path, 'utf8');
    if (!text.endsWith('\n')) {
      const cut = text.lastIndexOf('\n') + 1;
      truncateSync(this.path, Buffer.byteLength(text.slice(0, cut)));
      text = text.slice(0, cut);
    }
    const header = text.split('\n', 1)[0] ?? '';
    this.#columns = header ? parseCsvLine(header).slice(2) : [];
    this.#hasHeader = header.length > 0;
  }

  #rewrite(columns: string[]): void {
    const old = existsSync(this.path) ? readFileSync(this.path, 'utf8').split('\n').slice(1).filter((l) => l.length > 0) : [];
    const pad = columns.length - this.#columns.length;
    const rows = old.map((l) => (pad > 0 ? l + ','.repeat(pad) : l));
    const tmp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(tmp, [['step', 'time', ...columns].map(csvCell).join(','), ...rows].join('\n') + '\n');
    renameSync(tmp, this.path);
    this.#columns = columns;
    this.#hasHeader = true;
  }

  #guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      throw new KilnError(LoggerErrorCodes.FILE_WRITE, `Cannot ${what} CSV history '${this.path}': ${(e as Error).message}. Check free space and permissions.`, { cause: e });
    }
  }
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Splits one CSV line (RFC 4180 quoting) into cells. */
export function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { cells.push(cur); cur = ''; } else cur += ch;
  }
  cells.push(cur);
  return cells;
}
