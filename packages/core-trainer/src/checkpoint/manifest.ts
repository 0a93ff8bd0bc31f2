import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KilnError } from '../errors.js';
import { CheckpointErrorCodes } from './codes.js';
import { sha256 } from './fs-utils.js';
import { MODEL_JSON, WEIGHTS_BIN } from './model-files.js';

export const MANIFEST_JSON = 'manifest.json';
export const TRAINER_STATE_JSON = 'trainer-state.json';
export const OPTIMIZER_JSON = 'optimizer.json';
export const OPTIMIZER_BIN = 'optimizer.bin';
/** Files every checkpoint has; optimizer.json/.bin are present when an optimizer state was saved. */
export const REQUIRED_FILES = [MODEL_JSON, WEIGHTS_BIN, TRAINER_STATE_JSON] as const;

/** `manifest.json`: written last, so its presence means every file it lists was complete and synced. */
export interface CheckpointManifest {
  readonly format: 'kiln-checkpoint';
  readonly version: 1;
  readonly createdAt: string;
  /** Copied from the trainer state when it has them, for listing without parsing it. */
  readonly epoch?: number;
  readonly globalStep?: number;
  readonly files: Readonly<Record<string, { readonly sha256: string; readonly size: number }>>;
}

function corrupt(dir: string, file: string, what: string, cause?: unknown): KilnError {
  const path = join(dir, file);
  return new KilnError(CheckpointErrorCodes.CORRUPT,
    `Checkpoint ${dir} is corrupt: ${path} ${what}. It will not be loaded; resume from another checkpoint.`,
    { cause, details: { dir, file: path } });
}

/**
 * Reads `dir/manifest.json` and every file it lists, checking size and sha256. Resolves with the
 * manifest and the verified bytes; throws KILN_CHECKPOINT_CORRUPT naming the first bad file, or
 * KILN_CHECKPOINT_NOT_FOUND when `dir` has no manifest and looks like no checkpoint at all.
 * @example const { manifest } = await verifyCheckpoint('runs/demo/checkpoints/last');
 */
export async function verifyCheckpoint(dir: string): Promise<{ manifest: CheckpointManifest; files: Map<string, Uint8Array> }> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_JSON), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const hasModel = await readFile(join(dir, MODEL_JSON)).then(() => true, () => false);
      if (!hasModel) {
        throw new KilnError(CheckpointErrorCodes.NOT_FOUND, `No checkpoint at ${dir} (no ${MANIFEST_JSON}). Pass a checkpoint directory such as runs/<name>/checkpoints/<id>.`, { cause: e, details: { dir } });
      }
    }
    throw corrupt(dir, MANIFEST_JSON, 'is missing (the checkpoint was never completed)', e);
  }
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(text) as CheckpointManifest;
  } catch (e) {
    throw corrupt(dir, MANIFEST_JSON, 'is not valid JSON (truncated or edited)', e);
  }
  if (manifest?.format !== 'kiln-checkpoint' || typeof manifest.files !== 'object' || manifest.files === null) {
    throw corrupt(dir, MANIFEST_JSON, "is not a Kiln checkpoint manifest (no format 'kiln-checkpoint' or no files)");
  }
  for (const required of REQUIRED_FILES) if (!(required in manifest.files)) throw corrupt(dir, MANIFEST_JSON, `does not list ${required}`);
  const files = new Map<string, Uint8Array>();
  for (const [name, entry] of Object.entries(manifest.files)) {
    if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw corrupt(dir, MANIFEST_JSON, `lists an invalid file name '${name}'`);
    let data: Uint8Array;
    try {
      data = await readFile(join(dir, name));
    } catch (e) {
      throw corrupt(dir, name, 'is missing', e);
    }
    if (data.byteLength !== entry.size) throw corrupt(dir, name, `has ${data.byteLength} bytes, the manifest says ${entry.size} (truncated or altered)`);
    if (sha256(data) !== entry.sha256) throw corrupt(dir, name, 'does not match its sha256 in the manifest (altered)');
    files.set(name, data);
  }
  return { manifest, files };
}
