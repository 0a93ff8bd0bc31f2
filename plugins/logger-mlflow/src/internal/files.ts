import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';

/** A run file waiting for upload: its W&B name and either inline bytes or a blob under the outbox folder. */
export interface FilePayload {
  name: string;
  data?: Uint8Array;
  /** Path relative to the outbox folder of a snapshot (hard link or copy) of the file. */
  blob?: string;
}

/** Every regular file under `path` (itself if it is a file), with its name relative to `base`. */
export function listFiles(path: string, base: string): { path: string; name: string }[] {
  const st = statSync(path);
  if (st.isFile()) return [{ path, name: base }];
  if (!st.isDirectory()) return [];
  return readdirSync(path).sort().flatMap((entry) => listFiles(join(path, entry), `${base}/${entry}`));
}

/** The W&B / MLflow name of a logged path: relative to the run dir when inside it, else its basename. */
export function remoteName(path: string, runDir: string): string {
  const rel = relative(runDir, path);
  const name = rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : basename(path);
  return name.split(sep).join('/');
}

/**
 * Snapshots `source` as `<outboxDir>/<blob>`: a hard link (instant, keeps the bytes even when the
 * source is deleted or replaced by rename later) or, across devices, a copy.
 */
export function snapshot(source: string, outboxDir: string, blob: string): void {
  const target = join(outboxDir, blob);
  mkdirSync(dirname(target), { recursive: true });
  if (existsSync(target)) return;
  try {
    linkSync(source, target);
  } catch {
    copyFileSync(source, target);
  }
}
