import { readFileSync } from 'node:fs';
import { maskedCrc32c } from './internal/crc32c.js';
import { type ProtoField, asDouble, asDoubles, asFloat, asInt64, asString, readFields } from './internal/proto-reader.js';

/** One summary value read back: which kind, and its fields. */
export interface TfRecordValue {
  tag: string;
  simpleValue?: number;
  image?: { height: number; width: number; colorspace: number; encoded: Uint8Array };
  histo?: { min: number; max: number; num: number; sum: number; sumSquares: number; bucketLimit: number[]; bucket: number[] };
  tensor?: { dtype: number; shape: number[]; stringVal: string[] };
  pluginName?: string;
  pluginContent?: Uint8Array;
}

/** One event read back from an event file. */
export interface TfRecordEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  sessionLogStatus?: number;
  values: TfRecordValue[];
}

const get = (fs: ProtoField[], n: number): ProtoField | undefined => fs.find((f) => f.field === n);
const bytes = (f: ProtoField | undefined): Uint8Array => (f?.value instanceof Uint8Array ? f.value : new Uint8Array(0));
const num = (f: ProtoField | undefined): number => (typeof f?.value === 'bigint' ? asInt64(f.value) : 0);
const dbl = (f: ProtoField | undefined): number => (f ? asDouble(bytes(f)) : 0);

function readValue(buf: Uint8Array): TfRecordValue {
  const fs = readFields(buf);
  const v: TfRecordValue = { tag: asString(bytes(get(fs, 1))) };
  const simple = get(fs, 2);
  if (simple) v.simpleValue = asFloat(bytes(simple));
  const img = get(fs, 4);
  if (img) {
    const i = readFields(bytes(img));
    v.image = { height: num(get(i, 1)), width: num(get(i, 2)), colorspace: num(get(i, 3)), encoded: bytes(get(i, 4)) };
  }
  const histo = get(fs, 5);
  if (histo) {
    const h = readFields(bytes(histo));
    v.histo = { min: dbl(get(h, 1)), max: dbl(get(h, 2)), num: dbl(get(h, 3)), sum: dbl(get(h, 4)), sumSquares: dbl(get(h, 5)),
      bucketLimit: asDoubles(bytes(get(h, 6))), bucket: asDoubles(bytes(get(h, 7))) };
  }
  const tensor = get(fs, 8);
  if (tensor) {
    const t = readFields(bytes(tensor));
    const dims = readFields(bytes(get(t, 2))).filter((f) => f.field === 2).map((d) => num(get(readFields(bytes(d)), 1)));
    v.tensor = { dtype: num(get(t, 1)), shape: dims, stringVal: t.filter((f) => f.field === 8).map((f) => asString(bytes(f))) };
  }
  const meta = get(fs, 9);
  if (meta) {
    const pd = readFields(bytes(get(readFields(bytes(meta)), 1)));
    v.pluginName = asString(bytes(get(pd, 1)));
    v.pluginContent = bytes(get(pd, 2));
  }
  return v;
}

/**
 * Reads a TensorBoard event file (TFRecord framing), verifying both masked CRC-32Cs of every record.
 * A torn last record is ignored (as TensorBoard does); a bad checksum elsewhere throws.
 * @example for (const e of readEventFile(path)) for (const v of e.values) console.log(e.step, v.tag, v.simpleValue);
 */
export function readEventFile(path: string): TfRecordEvent[] {
  const buf = new Uint8Array(readFileSync(path));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const events: TfRecordEvent[] = [];
  for (let pos = 0; pos + 12 <= buf.length;) {
    const len = Number(dv.getBigUint64(pos, true));
    if (dv.getUint32(pos + 8, true) !== maskedCrc32c(buf.subarray(pos, pos + 8))) throw new Error(`bad length CRC at byte ${pos} of ${path}`);
    if (pos + 12 + len + 4 > buf.length) break; // torn last record
    const data = buf.subarray(pos + 12, pos + 12 + len);
    if (dv.getUint32(pos + 12 + len, true) !== maskedCrc32c(data)) throw new Error(`bad data CRC at byte ${pos} of ${path}`);
    pos += 12 + len + 4;
    const fs = readFields(data);
    const e: TfRecordEvent = { wallTime: dbl(get(fs, 1)), step: num(get(fs, 2)), values: [] };
    const fv = get(fs, 3);
    if (fv) e.fileVersion = asString(bytes(fv));
    const summary = get(fs, 5);
    if (summary) e.values = readFields(bytes(summary)).filter((f) => f.field === 1).map((f) => readValue(bytes(f)));
    const log = get(fs, 7);
    if (log) e.sessionLogStatus = num(get(readFields(bytes(log)), 1));
    events.push(e);
  }
  return events;
}
