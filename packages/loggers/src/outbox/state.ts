import { closeSync, existsSync, fsync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KilnError } from '@kiln/core-trainer';
import { LoggerErrorCodes } from '../errors.js';
import { writeJsonAtomicSync } from '../json-file.js';

/** What `cursor.json` persists: everything ≤ ackedThrough is acknowledged, plus `acked` above it. */
export interface Cursor {
  ackedThrough: number;
  acked: number[];
  delivered: number;
}

/** Reads `cursor.json`; a missing or unreadable one means nothing was acknowledged yet. */
export function readCursor(dir: string): { cursor: Cursor; error?: string } {
  const path = join(dir, 'cursor.json');
  const empty: Cursor = { ackedThrough: 0, acked: [], delivered: 0 };
  if (!existsSync(path)) return { cursor: empty };
  try {
    const c = JSON.parse(readFileSync(path, 'utf8')) as Partial<Cursor>;
    if (!Number.isSafeInteger(c.ackedThrough) || !Array.isArray(c.acked)) throw new Error('missing fields');
    return { cursor: { ackedThrough: c.ackedThrough!, acked: c.acked.filter(Number.isSafeInteger), delivered: Number(c.delivered) || 0 } };
  } catch (e) {
    return { cursor: empty, error: `outbox cursor ${path} is unreadable (${(e as Error).message}); records will be re-sent and deduplicated by key` };
  }
}

/** Writes `cursor.json` atomically (temporary file, then rename): a crash leaves the old or the new one. */
export function writeCursor(dir: string, cursor: Cursor): void {
  writeJsonAtomicSync(join(dir, 'cursor.json'), cursor);
}

const openHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the outbox's `LOCK` file (holding the owner's pid). A lock of a dead process is taken over;
 * a live owner, or an instance still open in this process, fails with KILN_LOGGER_OUTBOX_LOCKED.
 */
export function takeLock(dir: string): void {
  const path = join(dir, 'LOCK');
  if (openHere.has(path)) {
    throw new KilnError(LoggerErrorCodes.OUTBOX_LOCKED, `Outbox ${dir} is already open in this process: close() the other instance first.`, { details: { dir } });
  }
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isSafeInteger(owner) && owner !== process.pid && alive(owner)) {
      throw new KilnError(LoggerErrorCodes.OUTBOX_LOCKED,
        `Outbox ${dir} is in use by process ${owner} (a training run or 'kiln sync'). Wait for it to end or stop it, then retry.`, { details: { dir, pid: owner } });
    }
    writeFileSync(path, String(process.pid));
  }
  openHere.add(path);
}

/** Releases the lock taken by `takeLock`. */
export function releaseLock(dir: string): void {
  const path = join(dir, 'LOCK');
  openHere.delete(path);
  rmSync(path, { force: true });
}

/** fsyncs a file or folder by path. */
export async function syncPath(path: string): Promise<void> {
  const fd = openSync(path, 'r');
  try {
    await promisify(fsync)(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Where a run keeps the outbox of one remote sink: `<runDir>/outbox/<sink>`.
 * @example await Outbox.open(outboxDir(ctx.runDir, 'wandb'))
 */
export function outboxDir(runDir: string, sink: string): string {
  return join(runDir, 'outbox', sink);
}
