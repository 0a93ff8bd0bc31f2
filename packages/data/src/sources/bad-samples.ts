import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KilnError } from '@kiln/core-trainer';

/** What to do with a bad sample found while indexing: fail with its coded error (default) or skip it and list it. */
export type OnBadSample = 'error' | 'skip';

/** One skipped sample (or an empty class) in the report. */
export interface BadSample {
  readonly code: string;
  readonly file?: string;
  readonly row?: number;
  readonly message: string;
}

/**
 * Collects the problems found while indexing a source: in 'error' mode `report` throws the
 * error; in 'skip' mode it records it and returns, so the caller drops the sample.
 * @example const bad = new BadSampleCollector('skip'); bad.report(err); bad.items.length; // 1
 */
export class BadSampleCollector {
  readonly items: BadSample[] = [];

  constructor(readonly mode: OnBadSample = 'error') {}

  report(e: KilnError): void {
    if (this.mode === 'error') throw e;
    const d = e.details as { file?: string; row?: number };
    this.items.push({ code: e.code, file: d.file, row: d.row, message: e.message });
  }
}

/**
 * Writes `bad-samples.json` (the skipped samples, with code, file, row and message) into `dir`
 * (the run directory) and returns its path.
 * @example await writeBadSampleReport('runs/r1', train.badSamples);
 */
export async function writeBadSampleReport(dir: string, items: readonly BadSample[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'bad-samples.json');
  await writeFile(file, `${JSON.stringify({ count: items.length, skipped: items }, null, 2)}\n`);
  return file;
}
