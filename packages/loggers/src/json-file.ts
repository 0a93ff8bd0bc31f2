import { renameSync, writeFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';

/**
 * Writes `value` as JSON to `path` atomically: a temporary file `<path>.tmp`, then a rename, so a
 * crash leaves the old file or the new one, never a torn one. Synchronous; not fsynced.
 * @example writeJsonAtomicSync('runs/a/outbox/wandb/state.json', state)
 */
export function writeJsonAtomicSync(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value));
  renameSync(`${path}.tmp`, path);
}

/**
 * Like `writeJsonAtomicSync`, but durable and off the event loop: the temporary file is fsynced
 * before the rename, so the new content survives a power loss once this resolves.
 * @example await writeJsonAtomic('runs/a/outbox/mlflow/state.json', state)
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const fh = await open(`${path}.tmp`, 'w');
  try {
    await fh.writeFile(JSON.stringify(value));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(`${path}.tmp`, path);
}
