import { closeSync, fsync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KilnError } from '@kiln/core-trainer';
import { LoggerErrorCodes } from '../errors.js';
import { errorText } from '../internal/format.js';
import { type OutboxRecord, encodeRecord } from './record.js';
import { type Segment, listSegments, scanSegment, segmentName } from './segment.js';
import { readCursor, releaseLock, syncPath, takeLock, writeCursor } from './state.js';

const fsyncAsync = promisify(fsync);

/** How an outbox stands: records waiting, records acknowledged (ever), the last error if any. */
export interface OutboxStatus {
  pending: number;
  delivered: number;
  /** Records found damaged on open (e.g. after a power loss); they cannot be delivered. */
  lost: number;
  lastError?: string;
}

export interface OutboxOptions {
  /** A segment file is closed and a new one started past this size (default 4 MiB). */
  readonly segmentBytes?: number;
}

/**
 * A durable, ordered queue of events for one remote sink, in `runs/<name>/outbox/<sink>/`.
 * Records are appended as checksummed lines to segment files (one write per record, so SIGKILL
 * leaves at most one torn last line, which is ignored); `flush()` fsyncs them. Acknowledged seqs
 * are persisted in `cursor.json` (atomic rename), so a reopened outbox never hands out an
 * acknowledged record again; fully acknowledged segments are deleted. Memory holds no records:
 * `pending()` reads them from disk. After `open`, no method throws: errors are kept for `status()`.
 * One process at a time may hold an outbox (a `LOCK` file with its pid).
 * @example const box = await Outbox.open('runs/a/outbox/wandb'); box.append('metrics', 'metrics:1', { loss: 1 }); await box.flush();
 */
export class Outbox {
  readonly dir: string;
  readonly #segmentBytes: number;
  #segments: Segment[] = [];
  #write: { seg: Segment; fd: number; bytes: number } | undefined;
  #unsynced: string[] = [];
  #nextSeq = 1;
  #ackedThrough = 0;
  #acked = new Set<number>();
  #delivered = 0;
  #pending = 0;
  #lost = 0;
  #read = { first: 0, offset: 0 };
  #lastError: string | undefined;
  #closed = false;
  readonly #listeners = new Set<() => void>();

  private constructor(dir: string, options: OutboxOptions) {
    this.dir = dir;
    this.#segmentBytes = options.segmentBytes ?? 4 * 1024 * 1024;
  }

  /** Opens (creating if needed) the outbox in `dir`; fails with KILN_LOGGER_OUTBOX_OPEN / _LOCKED. */
  static async open(dir: string, options: OutboxOptions = {}): Promise<Outbox> {
    const box = new Outbox(dir, options);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new KilnError(LoggerErrorCodes.OUTBOX_OPEN, `Cannot create outbox folder ${dir}: ${(e as Error).message}. Check the run directory's permissions and free space.`, { cause: e });
    }
    takeLock(dir);
    try {
      box.#load();
    } catch (e) {
      releaseLock(dir);
      throw new KilnError(LoggerErrorCodes.OUTBOX_OPEN, `Cannot read outbox ${dir}: ${(e as Error).message}.`, { cause: e });
    }
    return box;
  }

  /**
   * Appends one event; synchronous and durable in order (on disk when it returns, fsynced by
   * `flush`). Returns its seq, or -1 when it could not be written (see `status().lastError`).
   */
  append(kind: string, key: string, payload: unknown): number {
    if (this.#closed) {
      this.#fail('append after close()');
      return -1;
    }
    try {
      const seq = this.#nextSeq;
      const line = encodeRecord({ seq, key, kind, payload, time: Date.now() });
      const w = this.#writer(line.length);
      try {
        for (let off = 0; off < line.length;) off += writeSync(w.fd, line, off);
      } catch (e) {
        this.#endSegment(); // never append after a possibly torn line
        throw e;
      }
      w.bytes += line.length;
      this.#nextSeq++;
      this.#pending++;
      for (const l of this.#listeners) l();
      return seq;
    } catch (e) {
      this.#fail(`append ${kind} ${key}: ${errorText(e)}`);
      return -1;
    }
  }

  /** Undelivered records, oldest first, at most `limit` (default 1000); read from disk. */
  pending(limit = 1000): OutboxRecord[] {
    const out: OutboxRecord[] = [];
    if (this.#closed || this.#pending === 0) return out;
    try {
      let moving = true; // the read position follows acknowledged records until the first pending one
      for (let i = this.#segments.findIndex((s) => s.first >= this.#read.first); i >= 0 && i < this.#segments.length && out.length < limit; i++) {
        const seg = this.#segments[i]!;
        const from = seg.first === this.#read.first ? this.#read.offset : 0;
        const { next, partial } = scanSegment(seg.path, from, (rec, end) => {
          if (rec && (rec.seq <= this.#ackedThrough || this.#acked.has(rec.seq) || rec.seq >= this.#nextSeq)) {
            if (moving) this.#read = { first: seg.first, offset: end };
            return true;
          }
          if (!rec) return true;
          moving = false;
          out.push(rec);
          return out.length < limit;
        });
        if (moving && !partial) this.#read = { first: seg.first, offset: next };
      }
    } catch (e) {
      this.#fail(`read: ${errorText(e)}`);
    }
    return out;
  }

  /** Marks records delivered; persisted before it returns, so a reopened outbox skips them. */
  ack(seqs: readonly number[]): void {
    if (this.#closed) return this.#fail('ack after close()');
    let changed = false;
    for (const s of seqs) {
      if (!Number.isSafeInteger(s) || s <= this.#ackedThrough || s >= this.#nextSeq || this.#acked.has(s)) continue;
      this.#acked.add(s);
      this.#delivered++;
      this.#pending--;
      changed = true;
    }
    if (!changed) return;
    while (this.#acked.delete(this.#ackedThrough + 1)) this.#ackedThrough++;
    try {
      writeCursor(this.dir, { ackedThrough: this.#ackedThrough, acked: [...this.#acked], delivered: this.#delivered });
      this.#dropDelivered();
    } catch (e) {
      this.#fail(`ack: ${errorText(e)}`);
    }
  }

  status(): OutboxStatus {
    return { pending: this.#pending, delivered: this.#delivered, lost: this.#lost, ...(this.#lastError ? { lastError: this.#lastError } : {}) };
  }

  /** Calls `listener` after every successful append (a deliverer wakes on it); returns an unsubscribe. */
  onAppend(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** fsyncs every segment written since the last flush, and the folder. Never rejects. */
  async flush(): Promise<void> {
    try {
      const paths = this.#unsynced.splice(0);
      if (this.#write) await fsyncAsync(this.#write.fd);
      for (const p of paths) await syncPath(p);
      await syncPath(this.dir);
    } catch (e) {
      this.#fail(`flush: ${errorText(e)}`);
    }
  }

  /** Flushes and releases the outbox; later calls record an error instead of writing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#endSegment();
    this.#closed = true;
    this.#listeners.clear();
    releaseLock(this.dir);
  }

  #load(): void {
    const { cursor, error } = readCursor(this.dir);
    if (error) this.#fail(error);
    this.#ackedThrough = cursor.ackedThrough;
    this.#acked = new Set(cursor.acked.filter((s) => s > cursor.ackedThrough));
    this.#delivered = cursor.delivered;
    this.#segments = listSegments(this.dir);
    let last = this.#ackedThrough;
    for (const seg of this.#segments) {
      scanSegment(seg.path, 0, (rec) => {
        if (!rec || rec.seq <= last) return true;
        for (let s = last + 1; s < rec.seq; s++) if (s > this.#ackedThrough && !this.#acked.has(s)) { this.#acked.add(s); this.#lost++; }
        if (rec.seq > this.#ackedThrough && !this.#acked.has(rec.seq)) this.#pending++;
        last = rec.seq;
        return true;
      });
    }
    while (this.#acked.delete(this.#ackedThrough + 1)) this.#ackedThrough++;
    this.#nextSeq = Math.max(last, this.#ackedThrough) + 1;
    this.#read = { first: this.#segments[0]?.first ?? 0, offset: 0 };
    this.#dropDelivered();
  }

  /** The segment to append `bytes` to: a new one on first use after open, and past the size limit. */
  #writer(bytes: number): { seg: Segment; fd: number; bytes: number } {
    if (this.#write && this.#write.bytes > 0 && this.#write.bytes + bytes > this.#segmentBytes) this.#endSegment();
    if (!this.#write) {
      const seg = { first: this.#nextSeq, path: join(this.dir, segmentName(this.#nextSeq)) };
      // A file of that name can only hold torn lines of a crashed process: start it afresh.
      const fd = openSync(seg.path, 'w');
      if (this.#read.first === seg.first) this.#read = { first: seg.first, offset: 0 };
      this.#segments = [...this.#segments.filter((s) => s.first !== seg.first), seg];
      this.#write = { seg, fd, bytes: 0 };
    }
    return this.#write;
  }

  #endSegment(): void {
    if (!this.#write) return;
    try {
      closeSync(this.#write.fd);
    } catch {
      // already closed
    }
    this.#unsynced.push(this.#write.seg.path);
    this.#write = undefined;
  }

  /** Deletes segments whose records are all acknowledged (never the one being written). */
  #dropDelivered(): void {
    while (this.#segments.length > 0) {
      const [seg, next] = this.#segments;
      const lastSeq = next ? next.first - 1 : this.#nextSeq - 1;
      if (seg!.path === this.#write?.seg.path || lastSeq > this.#ackedThrough) return;
      unlinkSync(seg!.path);
      this.#unsynced = this.#unsynced.filter((p) => p !== seg!.path);
      this.#segments.shift();
    }
  }

  #fail(message: string): void {
    this.#lastError = message;
  }
}
