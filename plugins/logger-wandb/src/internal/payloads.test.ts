import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { toWandbJson } from './json.js';
import { configJson, configYaml, consoleLine, consoleTime, histogram, historyLine, summaryLine } from './payloads.js';
import { encodePng } from './png.js';

describe('W&B payload builders', () => {
  it('writes NaN and ±Infinity as bare tokens, everything else as JSON.stringify does', () => {
    const v = { a: Number.NaN, b: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5], c: 'NaN', d: undefined, e: { f: null }, g: new Float32Array([0.5]) };
    expect(toWandbJson(v)).toBe('{"a":NaN,"b":[Infinity,-Infinity,1.5],"c":"NaN","e":{"f":null},"g":[0.5]}');
    const plain = { x: 1e-7, y: 'quote " and \\n', z: [true, false, null], big: 2 ** 60 };
    expect(toWandbJson(plain)).toBe(JSON.stringify(plain));
  });

  it('builds history lines with _step, _runtime and _timestamp', () => {
    const line = historyLine({ line: 3, step: 30, values: { loss: Number.NaN }, runtime: 1.25, timestamp: 1700000000.5 }, 7);
    expect(line).toBe('{"loss":NaN,"_step":7,"_runtime":1.25,"_timestamp":1700000000.5}');
    expect(summaryLine({ acc: 1, _runtime: 12.9 })).toBe('{"acc":1,"_runtime":12.9,"_wandb":{"runtime":12}}');
  });

  it('formats console lines like the SDK (UTC, microseconds, no zone, ERROR prefix)', () => {
    const t = Date.UTC(2026, 10, 23, 11, 53, 28, 901);
    expect(consoleTime(t)).toBe('2026-11-23T11:53:28.901000');
    expect(consoleLine({ line: 0, text: 'hi', stderr: false, time: t })).toBe('2026-11-23T11:53:28.901000 hi');
    expect(consoleLine({ line: 0, text: 'bad', stderr: true, label: 'x', time: t })).toBe('ERROR 2026-11-23T11:53:28.901000 [x] bad');
  });

  it('serializes config for UpsertBucket and config.yaml', () => {
    expect(JSON.parse(configJson({ lr: 0.1, opt: { m: 0.9 } }))).toEqual({ lr: { value: 0.1 }, opt: { value: { m: 0.9 } } });
    expect(configYaml({ lr: 0.1, 'odd key': 'x' })).toBe('wandb_version: 1\n\nlr:\n  desc: null\n  value: 0.1\n"odd key":\n  desc: null\n  value: "x"\n');
  });

  it('bins histograms over [min, max] like numpy.histogram (last bin closed), ignoring non-finite values', () => {
    const h = histogram([0, 1, 1, 2, 3, 4, Number.NaN, Number.POSITIVE_INFINITY], 4)!;
    // numpy.histogram([0,1,1,2,3,4], bins=4) -> counts [1, 2, 1, 2], edges [0, 1, 2, 3, 4]
    expect(h).toEqual({ _type: 'histogram', values: [1, 2, 1, 2], bins: [0, 1, 2, 3, 4] });
    expect(histogram([2, 2], 2)).toEqual({ _type: 'histogram', values: [0, 2], bins: [1.5, 2, 2.5] });
    expect(histogram([Number.NaN])).toBeUndefined();
  });

  it('encodes PNGs with valid chunk CRCs and filter-0 rows', () => {
    const data = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);
    const png = encodePng(2, 2, 3, data);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const chunks: { type: string; data: Buffer }[] = [];
    for (let at = 8; at < png.length;) {
      const len = png.readUInt32BE(at);
      const type = png.subarray(at + 4, at + 8);
      const body = png.subarray(at + 8, at + 8 + len);
      expect(png.readUInt32BE(at + 8 + len)).toBe(crc32(Buffer.concat([type, body])));
      chunks.push({ type: type.toString('latin1'), data: body });
      at += 12 + len;
    }
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect([...chunks[0]!.data]).toEqual([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
    expect([...inflateSync(chunks[1]!.data)]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 9, 9, 9]);
    expect(() => encodePng(2, 2, 3, new Uint8Array(5))).toThrow(/expected 2x2x3/);
  });
});
