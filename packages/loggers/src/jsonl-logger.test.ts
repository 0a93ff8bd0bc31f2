import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlLogger, readHistory } from './jsonl-logger.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'kiln-jsonl-'));

describe('JsonlLogger', () => {
  it('appends one whole JSON line per call and reads NaN/Infinity back', () => {
    const path = join(tmp(), 'run', 'history.jsonl');
    const log = new JsonlLogger({ path, now: () => 1000 });
    log.logMetrics(1, { loss: 0.5, acc: Number.NaN });
    log.logMetrics(2, { loss: Number.POSITIVE_INFINITY, step: 99 });
    expect(readFileSync(path, 'utf8')).toBe('{"step":1,"time":1000,"loss":0.5,"acc":"NaN"}\n{"step":2,"time":1000,"loss":"Infinity"}\n');
    const rows = readHistory(path);
    expect(rows[0]!.acc).toBeNaN();
    expect(rows[1]).toEqual({ step: 2, time: 1000, loss: Number.POSITIVE_INFINITY });
  });

  it('ignores a torn last line, and a resumed run appends after it', () => {
    const path = join(tmp(), 'history.jsonl');
    const log = new JsonlLogger({ path, now: () => 5 });
    log.logMetrics(1, { loss: 1 });
    appendFileSync(path, '{"step":2,"time":5,"lo'); // a crash mid-line
    expect(readHistory(path)).toEqual([{ step: 1, time: 5, loss: 1 }]);
    const resumed = new JsonlLogger({ path, now: () => 6 });
    resumed.logMetrics(2, { loss: 0.5 });
    expect(readFileSync(path, 'utf8')).toBe('{"step":1,"time":5,"loss":1}\n{"step":2,"time":6,"loss":0.5}\n');
  });

  it('merges rows of the same step (resume re-logs steps after the checkpoint)', () => {
    const path = join(tmp(), 'h.jsonl');
    const log = new JsonlLogger({ path, now: () => 0 });
    log.logMetrics(1, { loss: 1 });
    log.logMetrics(2, { loss: 0.9 });
    log.logMetrics(2, { val_dice: 0.3 });
    log.logMetrics(2, { loss: 0.8 });
    expect(readHistory(path, { merge: true })).toEqual([{ step: 1, time: 0, loss: 1 }, { step: 2, time: 0, loss: 0.8, val_dice: 0.3 }]);
  });
});
