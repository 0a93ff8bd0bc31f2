import { describe, expect, it } from 'vitest';
import { toWandbJson } from './json.js';
import { configJson, configYaml, consoleLine, consoleTime, histogram, historyLine, summaryLine } from './payloads.js';

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
});
