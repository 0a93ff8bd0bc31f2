import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvLogger, parseCsvLine } from './csv-logger.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'kiln-csv-'));

describe('CsvLogger', () => {
  it('adds a column when a value is first seen and pads earlier rows', () => {
    const path = join(tmp(), 'history.csv');
    const log = new CsvLogger({ path, now: () => 7 });
    log.logMetrics(1, { loss: 0.5 });
    log.logMetrics(2, { loss: 0.25, 'val,dice': Number.NaN });
    log.logMetrics(3, { 'val,dice': 0.5 });
    expect(readFileSync(path, 'utf8')).toBe('step,time,loss,"val,dice"\n1,7,0.5,\n2,7,0.25,NaN\n3,7,,0.5\n');
    expect(log.columns).toEqual(['loss', 'val,dice']);
  });

  it('continues an existing file on resume, cutting a torn row', () => {
    const path = join(tmp(), 'history.csv');
    new CsvLogger({ path, columns: ['loss'], now: () => 1 }).logMetrics(1, { loss: 1 });
    appendFileSync(path, '2,1,0.'); // crash mid-row
    const resumed = new CsvLogger({ path, now: () => 2 });
    expect(resumed.columns).toEqual(['loss']);
    resumed.logMetrics(2, { loss: 0.5 });
    expect(readFileSync(path, 'utf8')).toBe('step,time,loss\n1,1,1\n2,2,0.5\n');
  });

  it('parses quoted cells', () => {
    expect(parseCsvLine('a,"b,""c""",d')).toEqual(['a', 'b,"c"', 'd']);
  });
});
