import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isKilnError } from '../errors.js';
import { type CheckpointManifest, verifyCheckpoint } from './manifest.js';
import { OLD_MARK, TEMP_MARK } from './write.js';

export interface CheckpointInfo {
  /** Directory name under the checkpoints directory (`last`, `epoch=003-val_loss=0.412`…). */
  readonly id: string;
  readonly path: string;
  readonly manifest: CheckpointManifest;
  /** True for a complete old copy left by a crash during replacement, standing in for a missing `id`. */
  readonly recovered?: boolean;
}

export interface SkippedCheckpoint {
  readonly path: string;
  readonly reason: 'incomplete' | 'corrupt' | 'superseded';
  readonly message: string;
}

export interface CheckpointListing {
  /** Verified checkpoints, oldest first (by global step, then creation time). */
  readonly checkpoints: CheckpointInfo[];
  /** Temp dirs of unfinished writes and corrupt checkpoints, never returned as usable. */
  readonly skipped: SkippedCheckpoint[];
}

/**
 * Lists the verified checkpoints of a run (`<runDir>/checkpoints/*`, or `options.dir`), reporting
 * temp directories of unfinished writes and corrupt checkpoints in `skipped`. Every file of every
 * checkpoint is hashed, so this costs one read of each checkpoint.
 * @example const { checkpoints, skipped } = await listCheckpoints('runs/demo');
 */
export async function listCheckpoints(runDir: string, options: { dir?: string } = {}): Promise<CheckpointListing> {
  const root = options.dir ?? join(runDir, 'checkpoints');
  const names = await readdir(root).catch(() => [] as string[]);
  const checkpoints: CheckpointInfo[] = [];
  const skipped: SkippedCheckpoint[] = [];
  const present = new Set(names.filter((n) => !n.startsWith('.')));
  for (const name of names.sort()) {
    const path = join(root, name);
    if (!(await stat(path).then((s) => s.isDirectory(), () => false))) continue;
    const temp = name.startsWith('.') && name.includes(TEMP_MARK);
    const old = name.startsWith('.') && name.includes(OLD_MARK);
    if (temp) {
      skipped.push({ path, reason: 'incomplete', message: `${path} is an unfinished checkpoint write (temp directory); ignored.` });
      continue;
    }
    if (name.startsWith('.') && !old) continue;
    const id = old ? name.slice(1, name.indexOf(OLD_MARK)) : name;
    if (old && present.has(id)) {
      skipped.push({ path, reason: 'superseded', message: `${path} is the replaced copy of ${id}; ignored.` });
      continue;
    }
    try {
      const { manifest } = await verifyCheckpoint(path);
      checkpoints.push({ id, path, manifest, ...(old ? { recovered: true } : {}) });
      if (old) present.add(id);
    } catch (e) {
      if (!isKilnError(e)) throw e;
      skipped.push({ path, reason: 'corrupt', message: e.message });
    }
  }
  checkpoints.sort((a, b) => (a.manifest.globalStep ?? -1) - (b.manifest.globalStep ?? -1) ||
    a.manifest.createdAt.localeCompare(b.manifest.createdAt) || a.id.localeCompare(b.id));
  return { checkpoints, skipped };
}

/**
 * The most advanced verified checkpoint of a run (highest global step, then newest), or
 * undefined; corrupt and unfinished ones are skipped and reported.
 * @example const { checkpoint, skipped } = await latestCheckpoint('runs/demo'); skipped.forEach((s) => warn(s.message));
 */
export async function latestCheckpoint(runDir: string, options: { dir?: string } = {}): Promise<{ checkpoint?: CheckpointInfo; skipped: SkippedCheckpoint[] }> {
  const { checkpoints, skipped } = await listCheckpoints(runDir, options);
  return { checkpoint: checkpoints.at(-1), skipped };
}
