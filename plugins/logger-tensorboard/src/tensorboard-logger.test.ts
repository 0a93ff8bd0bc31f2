import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildHistogram } from './internal/histogram.js';
import { asDouble, asString, readFields } from './internal/proto-reader.js';
import { type TfRecordEvent, readEventFile } from './reader.js';
import { NOW, SECRET, writeSampleRun } from './test-utils/sample-run.js';

const num = (x: number | string) => (typeof x === 'string' ? Number(x) : x);
const same = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || a === b;

function pngPixels(png: Uint8Array, w: number, ch: number): Buffer {
  const buf = Buffer.from(png);
  const idat = buf.subarray(8 + 25 + 8, 8 + 25 + 8 + buf.readUInt32BE(33));
  const raw = inflateSync(idat);
  const rows = [];
  for (let p = 0; p < raw.length; p += w * ch + 1) rows.push(raw.subarray(p + 1, p + 1 + w * ch));
  return Buffer.concat(rows);
}

describe('TensorBoardLogger (read back with our own reader)', () => {
  it('writes valid TFRecords that hold every value logged, and never a secret', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kiln-tb-')), 'tensorboard');
    const exp = await writeSampleRun(dir);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    for (const f of files) {
      expect(f).toMatch(/^events\.out\.tfevents\.\d{10}\..+\.\d+\.\d+$/);
      expect(readFileSync(join(dir, f)).includes(SECRET)).toBe(false);
    }
    const [first, second] = files.map((f) => readEventFile(join(dir, f))) as [TfRecordEvent[], TfRecordEvent[]];
    for (const events of [first, second]) expect(events[0]).toEqual({ wallTime: NOW / 1000, step: 0, fileVersion: 'brain.Event:2', values: [] });

    // A fresh writer starts its session at step 0; the resumed one announces the restart at its first metrics step.
    expect(first[1]).toEqual({ wallTime: NOW / 1000, step: 0, sessionLogStatus: 1, values: [] });
    expect(second.filter((e) => e.sessionLogStatus !== undefined)).toHaveLength(1);
    const restart = second.findIndex((e) => e.sessionLogStatus === 1);
    expect(second[restart]!.step).toBe(7);
    expect(second.findIndex((e) => e.values.some((v) => v.tag === 'loss'))).toBe(restart + 1);

    // What TensorBoard shows after the purge: writer 1's steps < 7, then writer 2.
    const all = [...first.filter((e) => e.step < 7), ...second];
    for (const [tag, rows] of Object.entries(exp.scalars)) {
      const got = all.flatMap((e) => e.values.filter((v) => v.tag === tag).map((v) => [e.step, v.simpleValue!] as const));
      expect(got.length, tag).toBe(rows.length);
      got.forEach(([step, v], i) => expect(step === rows[i]![0] && same(v, Math.fround(num(rows[i]![1]))), `${tag}@${step}`).toBe(true));
    }
    for (const [tag, rows] of Object.entries(exp.images)) {
      const got = all.flatMap((e) => e.values.filter((v) => v.tag === tag).map((v) => ({ step: e.step, ...v.image! })));
      expect(got.map((g) => [g.step, g.width, g.height, g.colorspace])).toEqual(rows.map((r) => [r[0], r[1], r[2], r[3]]));
      got.forEach((g, i) => expect(pngPixels(g.encoded, g.width, g.colorspace).toString('base64')).toBe(rows[i]![4]));
    }
    for (const [tag, rows] of Object.entries(exp.histograms)) {
      const got = all.flatMap((e) => e.values.filter((v) => v.tag === tag).map((v) => v.histo!));
      expect(got).toEqual(rows.map(([, values]) => buildHistogram(values.map(num))));
    }
    for (const [tag, rows] of Object.entries(exp.texts)) {
      const got = all.flatMap((e) => e.values.filter((v) => v.tag === tag).map((v) => [e.step, v.tensor!.stringVal[0], v.pluginName, v.tensor!.dtype]));
      expect(got).toEqual(rows.map(([s, t]) => [s, t, 'text', 7]));
    }

    // hparams: session start with the (redacted) params, session end with SUCCESS.
    const hp = (tag: string) => all.flatMap((e) => e.values.filter((v) => v.tag === tag));
    const start = readFields(readFields(hp('_hparams_/session_start_info')[1]!.pluginContent!).find((f) => f.field === 3)!.value as Uint8Array);
    const map = Object.fromEntries(start.filter((f) => f.field === 1).map((f) => {
      const entry = readFields(f.value as Uint8Array);
      const value = readFields(entry.find((x) => x.field === 2)!.value as Uint8Array)[0]!;
      const decoded = value.field === 2 ? asDouble(value.value as Uint8Array) : value.field === 3 ? asString(value.value as Uint8Array) : value.value === 1n;
      return [asString(entry.find((x) => x.field === 1)!.value as Uint8Array), decoded];
    }));
    expect(map).toEqual(exp.hparams.hparams);
    const end = hp('_hparams_/session_end_info');
    expect(end).toHaveLength(1);
    expect(end[0]!.tensor).toEqual({ dtype: 1, shape: [0], stringVal: [] });
    const endInfo = readFields(readFields(end[0]!.pluginContent!).find((f) => f.field === 4)!.value as Uint8Array);
    expect(endInfo.find((f) => f.field === 1)!.value).toBe(1n);
  });

  it('detects a corrupted record and tolerates a torn last one', async () => {
    const { appendFileSync, writeFileSync } = await import('node:fs');
    const { TensorBoardLogger } = await import('./tensorboard-logger.js');
    const dir = mkdtempSync(join(tmpdir(), 'kiln-tb-crc-'));
    const tb = new TensorBoardLogger({ dir, hparams: false });
    tb.logMetrics(1, { loss: 0.5 });
    await tb.finish('finished');
    const path = tb.path;
    appendFileSync(path, Buffer.from([9, 0, 0, 0, 0, 0, 0, 0])); // torn: a length with no CRC yet
    expect(readEventFile(path).map((e) => e.values[0]?.simpleValue)).toEqual([undefined, undefined, 0.5]);
    const bytes = readFileSync(path);
    bytes[bytes.length - 8 - 6] ^= 0xff; // inside the last full record's data
    writeFileSync(path, bytes);
    expect(() => readEventFile(path)).toThrow(/bad data CRC/);
  });
});
