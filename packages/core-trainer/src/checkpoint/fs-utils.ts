import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';

/** Writes `data` to a new file and fsyncs it before closing, so it is on disk once this resolves. */
export async function writeFileSynced(path: string, data: Uint8Array): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Fsyncs a directory so renames and new entries in it survive a power loss (no-op where unsupported). */
export async function fsyncDir(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r');
    await fh.sync();
  } catch (e) {
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    await fh?.close();
  }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function randomSuffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function bytesOf(buffer: ArrayBuffer | Uint8Array): Uint8Array {
  return buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
}

/** An ArrayBuffer holding exactly the bytes of `b` (Node Buffers may share a larger pool). */
export function arrayBufferOf(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/**
 * JSON with non-finite numbers kept: NaN and ±Infinity are written as `{"$kilnNumber":"NaN"}`
 * (plain JSON would turn them into null) and read back as numbers.
 */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? { $kilnNumber: String(v) } : v), 2);
}

export function parseJson(text: string): unknown {
  return JSON.parse(text, (_k, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.$kilnNumber === 'string') return Number(v.$kilnNumber);
    return v;
  });
}
