import { crc32 } from 'node:zlib';

/** One event waiting in an outbox. `seq` orders records; `key` is stable per event (e.g. `metrics:120`). */
export interface OutboxRecord {
  readonly seq: number;
  readonly key: string;
  readonly kind: string;
  readonly payload: unknown;
  /** When it was appended, ms since the epoch. */
  readonly time: number;
}

const TAG = '$kiln';

/**
 * Turns a payload into JSON-safe data that `fromJsonSafe` restores exactly: NaN and ±Infinity,
 * Uint8Array/Buffer (as base64), other typed arrays (as plain arrays), undefined properties dropped.
 */
export function toJsonSafe(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : { [TAG]: String(v) };
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return { [TAG]: 'bytes', b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, toJsonSafe);
  if (Array.isArray(v)) return v.map(toJsonSafe);
  if (v instanceof Date) return v.toISOString();
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function') out[k] = toJsonSafe(x);
  return out;
}

/** Inverse of `toJsonSafe`. */
export function fromJsonSafe(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(fromJsonSafe);
  const tag = (v as Record<string, unknown>)[TAG];
  if (typeof tag === 'string') {
    if (tag === 'bytes') return new Uint8Array(Buffer.from(String((v as { b64?: string }).b64 ?? ''), 'base64'));
    return Number(tag);
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = fromJsonSafe(x);
  return out;
}

/**
 * One record as one line: `<json>\t<crc32 of json, 8 hex>\n`. JSON text never holds a raw tab or
 * newline, so the line splits unambiguously, and the checksum rejects torn or damaged lines.
 */
export function encodeRecord(r: OutboxRecord): Buffer {
  const json = JSON.stringify({ seq: r.seq, time: r.time, kind: r.kind, key: r.key, payload: toJsonSafe(r.payload) });
  const body = Buffer.from(json, 'utf8');
  return Buffer.concat([body, Buffer.from(`\t${crc32(body).toString(16).padStart(8, '0')}\n`, 'latin1')]);
}

/** Decodes one line (without its newline); undefined when torn, damaged or not a record. */
export function decodeRecord(line: Buffer): OutboxRecord | undefined {
  const tab = line.lastIndexOf(0x09);
  if (tab < 0 || line.length - tab !== 9) return undefined;
  const body = line.subarray(0, tab);
  if (crc32(body).toString(16).padStart(8, '0') !== line.subarray(tab + 1).toString('latin1')) return undefined;
  try {
    const o = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (!Number.isSafeInteger(o.seq) || typeof o.key !== 'string' || typeof o.kind !== 'string') return undefined;
    return { seq: o.seq as number, key: o.key, kind: o.kind, time: Number(o.time), payload: fromJsonSafe(o.payload) };
  } catch {
    return undefined;
  }
}
