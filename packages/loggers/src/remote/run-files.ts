import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';

/** One file of a run, snapshotted under an outbox folder until a remote logger has uploaded it. */
export interface RunFileSnapshot {
  /** Its remote name: the path relative to the run dir when inside it, else from the logged path's basename; '/'-separated. */
  readonly name: string;
  /** Where the snapshot is, relative to the outbox folder: `blobs/<id>/<name>`. */
  readonly blob: string;
  /** 8 random hex characters, shared by the files of one `snapshotRunFiles` call. */
  readonly id: string;
}

/** Every regular file under `path` (itself if it is a file), with its name `base` + the path below it. */
function listFiles(path: string, base: string): { path: string; name: string }[] {
  const st = statSync(path);
  if (st.isFile()) return [{ path, name: base }];
  if (!st.isDirectory()) return [];
  return readdirSync(path).sort().flatMap((entry) => listFiles(join(path, entry), `${base}/${entry}`));
}

function remoteName(path: string, runDir: string): string {
  const rel = relative(runDir, path);
  const name = rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : basename(path);
  return name.split(sep).join('/');
}

/**
 * Snapshots a logged file, or every file of a folder (a checkpoint), into `<outboxDir>/blobs/<id>/`
 * as it is now, yielding each one after its snapshot is made: a hard link (instant; keeps these
 * bytes even when the file is later deleted or replaced by a rename) or, across devices, a copy.
 * Files come in name order. Throws (from the first `next()`) when `path` does not exist. The
 * uploader deletes a snapshot once it is sent.
 * @example for (const f of snapshotRunFiles('runs/a/checkpoints/best', 'runs/a', box.dir)) box.append('file', `file:${f.name}:${f.id}`, { name: f.name, blob: f.blob });
 */
export function* snapshotRunFiles(path: string, runDir: string, outboxDir: string): Generator<RunFileSnapshot, void, undefined> {
  const id = randomUUID().slice(0, 8);
  for (const f of listFiles(path, remoteName(path, runDir))) {
    const blob = `blobs/${id}/${f.name}`;
    const target = join(outboxDir, blob);
    mkdirSync(dirname(target), { recursive: true });
    if (!existsSync(target)) {
      try {
        linkSync(f.path, target);
      } catch {
        copyFileSync(f.path, target);
      }
    }
    yield { name: f.name, blob, id };
  }
}
