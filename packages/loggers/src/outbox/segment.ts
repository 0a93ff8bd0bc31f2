import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { type OutboxRecord, decodeRecord } from './record.js';

/** A segment file holds records from `first` on, in seq order. */
export interface Segment {
  readonly first: number;
  readonly path: string;
}

const NAME = /^seg-(\d{16})\.log$/;
const CHUNK = 64 * 1024;

export const segmentName = (first: number): string => `seg-${String(first).padStart(16, '0')}.log`;

/** The segment files of an outbox folder, oldest first. */
export function listSegments(dir: string): Segment[] {
  return readdirSync(dir)
    .map((name) => NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ first: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => a.first - b.first);
}

/**
 * Reads complete lines of a segment from byte `from`, calling `visit` with each decoded record
 * (undefined for a damaged line) and the byte offset just past its line; `visit` returns false to
 * stop. Reads in 64 KiB chunks, so memory stays bounded by the longest line. Returns the offset
 * past the last line visited and whether an incomplete (torn) line follows it at the end.
 */
export function scanSegment(
  path: string,
  from: number,
  visit: (rec: OutboxRecord | undefined, end: number) => boolean,
): { next: number; partial: boolean } {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    let pos = from;
    let carry: Buffer = Buffer.alloc(0);
    let carryStart = from;
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, pos);
      if (n === 0) break;
      pos += n;
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
        const end = carryStart + nl + 1;
        const rec = decodeRecord(buf.subarray(start, nl));
        start = nl + 1;
        if (!visit(rec, end)) return { next: end, partial: false };
      }
      carry = Buffer.from(buf.subarray(start));
      carryStart += start;
    }
    return { next: carryStart, partial: carry.length > 0 };
  } finally {
    closeSync(fd);
  }
}
