import { closeSync, fsync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileVersionEvent } from './internal/events.js';
import { frameRecord } from './internal/tfrecord.js';

const fsyncAsync = promisify(fsync);
let counter = 0;

/**
 * Writes one TensorBoard event file, `events.out.tfevents.<secs>.<host>.<pid>.<n>`, in `dir`:
 * a fresh file per writer (never rewriting one), whose name sorts after every event file already
 * there, starting with the `file_version` event. Each record is written whole by one call, so a
 * crash leaves at most a torn last record, which TensorBoard tolerates.
 * @example const w = new EventFileWriter('runs/a/tensorboard'); w.write(summaryEvent(…)); await w.close();
 */
export class EventFileWriter {
  readonly path: string;
  #fd: number | undefined;

  constructor(dir: string, now: () => number = Date.now) {
    mkdirSync(dir, { recursive: true });
    let secs = Math.floor(now() / 1000);
    for (const f of readdirSync(dir)) {
      const m = /^events\.out\.tfevents\.(\d{10})\./.exec(f);
      if (m && Number(m[1]) >= secs) secs = Number(m[1]) + 1;
    }
    this.path = join(dir, `events.out.tfevents.${String(secs).padStart(10, '0')}.${hostname()}.${process.pid}.${++counter}`);
    this.#fd = openSync(this.path, 'wx');
    this.write(fileVersionEvent(now() / 1000));
  }

  /** Appends one serialized Event as a TFRecord. */
  write(event: Uint8Array): void {
    if (this.#fd === undefined) throw new Error(`event file ${this.path} is closed`);
    const rec = frameRecord(event);
    for (let off = 0; off < rec.length;) off += writeSync(this.#fd, rec, off);
  }

  /** fsyncs the file. */
  async flush(): Promise<void> {
    if (this.#fd !== undefined) await fsyncAsync(this.#fd);
  }

  async close(): Promise<void> {
    if (this.#fd === undefined) return;
    await this.flush();
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}
