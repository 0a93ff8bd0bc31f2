import { appendFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';

const tmp = () => join(mkdtempSync(join(tmpdir(), 'kiln-outbox-')), 'outbox', 'sink');

describe('Outbox', () => {
  it('hands out records in order, in bounded batches, and acknowledges them', async () => {
    const box = await Outbox.open(tmp());
    for (let i = 0; i < 10; i++) expect(box.append('metrics', `metrics:${i}`, { i })).toBe(i + 1);
    expect(box.pending(4).map((r) => r.key)).toEqual(['metrics:0', 'metrics:1', 'metrics:2', 'metrics:3']);
    box.ack([1, 2, 3, 4]);
    expect(box.pending(3).map((r) => r.seq)).toEqual([5, 6, 7]);
    box.ack([6]); // out of order
    expect(box.pending().map((r) => r.seq)).toEqual([5, 7, 8, 9, 10]);
    expect(box.status()).toEqual({ pending: 5, delivered: 5, lost: 0 });
    box.ack([5, 5, 99, -1]); // duplicates and unknown seqs are ignored
    expect(box.status()).toMatchObject({ pending: 4, delivered: 6 });
    await box.close();
  });

  it('persists acknowledgements across reopen and deletes delivered segments', async () => {
    const dir = tmp();
    let box = await Outbox.open(dir, { segmentBytes: 200 });
    for (let i = 0; i < 20; i++) box.append('m', `m:${i}`, { i });
    const segsBefore = readdirSync(dir).filter((f) => f.startsWith('seg-')).length;
    expect(segsBefore).toBeGreaterThan(3);
    box.ack(box.pending(12).map((r) => r.seq));
    box.ack([15]);
    await box.close();
    box = await Outbox.open(dir, { segmentBytes: 200 });
    expect(box.status()).toEqual({ pending: 7, delivered: 13, lost: 0 });
    expect(box.pending().map((r) => r.seq)).toEqual([13, 14, 16, 17, 18, 19, 20]);
    expect(box.append('m', 'm:20', { i: 20 })).toBe(21); // seqs continue
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-')).length).toBeLessThan(segsBefore);
    box.ack(box.pending().map((r) => r.seq));
    await box.close();
    box = await Outbox.open(dir);
    expect(box.status()).toEqual({ pending: 0, delivered: 21, lost: 0 });
    expect(box.pending()).toEqual([]);
    expect(box.append('m', 'm:21', {})).toBe(22); // never reuses an acknowledged seq
    await box.close();
  });

  it('ignores a torn last line and keeps appending cleanly after it', async () => {
    const dir = tmp();
    let box = await Outbox.open(dir);
    box.append('m', 'a', 1);
    box.append('m', 'b', 2);
    await box.close();
    const seg = readdirSync(dir).find((f) => f.startsWith('seg-'))!;
    appendFileSync(join(dir, seg), '{"seq":3,"time":1,"kind":"m","key":"c","pay');
    box = await Outbox.open(dir);
    expect(box.pending().map((r) => r.key)).toEqual(['a', 'b']);
    expect(box.append('m', 'c', 3)).toBe(3);
    expect(box.pending().map((r) => [r.seq, r.key, r.payload])).toEqual([[1, 'a', 1], [2, 'b', 2], [3, 'c', 3]]);
    await box.close();
  });

  it('counts a damaged middle record as lost without blocking the rest', async () => {
    const dir = tmp();
    let box = await Outbox.open(dir, { segmentBytes: 1 }); // one record per segment
    for (const k of ['a', 'b', 'c']) box.append('m', k, k);
    await box.close();
    const second = readdirSync(dir).filter((f) => f.startsWith('seg-')).sort()[1]!;
    writeFileSync(join(dir, second), 'garbage that replaced the record\n');
    box = await Outbox.open(dir);
    expect(box.status()).toEqual({ pending: 2, delivered: 0, lost: 1 });
    const recs = box.pending();
    expect(recs.map((r) => r.key)).toEqual(['a', 'c']);
    box.ack(recs.map((r) => r.seq));
    expect(box.status()).toMatchObject({ pending: 0, delivered: 2 });
    await box.close();
  });

  it('never throws from append; records the error instead', async () => {
    const box = await Outbox.open(tmp());
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => box.append('m', 'bad', cyclic)).not.toThrow();
    expect(box.status().lastError).toMatch(/append m bad/);
    expect(box.append('m', 'good', 1)).toBe(1); // the failed one took no seq
    await box.close();
    expect(box.append('m', 'late', 1)).toBe(-1);
    expect(box.status().lastError).toMatch(/after close/);
  });

  it('refuses a second open of the same folder in one process', async () => {
    const dir = tmp();
    const box = await Outbox.open(dir);
    await expect(Outbox.open(dir)).rejects.toMatchObject({ code: 'KILN_LOGGER_OUTBOX_LOCKED' });
    await box.close();
    await (await Outbox.open(dir)).close();
  });
});
