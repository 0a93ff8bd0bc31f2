import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from './record.js';

describe('outbox record lines', () => {
  it('round-trips payloads with NaN, ±Infinity, bytes and typed arrays', () => {
    const payload = { loss: Number.NaN, hi: Number.POSITIVE_INFINITY, lo: Number.NEGATIVE_INFINITY, png: new Uint8Array([0, 255, 10]), h: new Float32Array([0.5, 2]), s: 'tab\there\nnewline', skip: undefined };
    const line = encodeRecord({ seq: 7, key: 'metrics:7', kind: 'metrics', time: 123, payload });
    expect(line.at(-1)).toBe(0x0a);
    expect(line.subarray(0, -1).includes(0x0a)).toBe(false);
    const rec = decodeRecord(line.subarray(0, -1))!;
    expect(rec).toEqual({ seq: 7, key: 'metrics:7', kind: 'metrics', time: 123, payload: { loss: Number.NaN, hi: Infinity, lo: -Infinity, png: new Uint8Array([0, 255, 10]), h: [0.5, 2], s: 'tab\there\nnewline' } });
  });

  it('rejects every strict prefix and a flipped byte', () => {
    const line = encodeRecord({ seq: 1, key: 'k', kind: 'x', time: 1, payload: { a: [1, 2, { b: 'c' }] } }).subarray(0, -1);
    for (let n = 0; n < line.length; n++) expect(decodeRecord(line.subarray(0, n)), `prefix ${n}`).toBeUndefined();
    const bad = Buffer.from(line);
    bad[12] = bad[12]! ^ 1;
    expect(decodeRecord(bad)).toBeUndefined();
  });
});
