import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { OptimizerState } from '../contracts/optimizer.js';
import { KilnError, isKilnError } from '../errors.js';
import { CheckpointErrorCodes } from './codes.js';
import { bytesOf, fsyncDir, randomSuffix, sha256, stringifyJson, writeFileSynced } from './fs-utils.js';
import { type CheckpointManifest, MANIFEST_JSON, OPTIMIZER_BIN, OPTIMIZER_JSON, TRAINER_STATE_JSON } from './manifest.js';
import { encodeModel } from './model-files.js';

export interface CheckpointContent {
  readonly model: tfl.LayersModel;
  /** Named tensors (not disposed here) and JSON meta; saved as optimizer.bin + optimizer.json. */
  readonly optimizerState?: OptimizerState;
  /** Anything JSON-serialisable; NaN and ±Infinity survive (see `stringifyJson`). */
  readonly trainerState: unknown;
}

/** Progress points of `writeCheckpoint`, for progress reporting (and crash tests). */
export type CheckpointStage = 'temp-created' | 'files-written' | 'manifest-written' | 'old-moved-aside' | 'renamed';

export interface WriteCheckpointOptions {
  onStage?(stage: CheckpointStage, info: { readonly tempDir: string; readonly dir: string }): void | Promise<void>;
}

/** Prefixes of the sibling directories used while writing; listings ignore them. */
export const TEMP_MARK = '.tmp-';
export const OLD_MARK = '.old-';

/**
 * Writes a checkpoint to `dir` atomically: every file goes into a temporary sibling directory
 * (`.<id>.tmp-<pid>-<rand>`) and is fsynced, `manifest.json` (size and sha256 of each file) is
 * written last, then the directory is renamed into place. An existing `dir` is first renamed to
 * `.<id>.old-…` and removed only after the new one is in place, so at every instant either the
 * old or the new complete checkpoint exists (`listCheckpoints` recovers an `.old-` one whose
 * target is missing). A crash leaves at most a temp directory that listings ignore. Its signature
 * fits the Trainer's `checkpointWriter`; `verifyCheckpoint(dir)` returns the manifest.
 * @example await writeCheckpoint('runs/demo/checkpoints/last', { model, optimizerState, trainerState: { epoch: 3 } })
 */
export async function writeCheckpoint(dir: string, content: CheckpointContent, options: WriteCheckpointOptions = {}): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  const id = basename(target);
  const tempDir = join(parent, `.${id}${TEMP_MARK}${randomSuffix()}`);
  const info = { tempDir, dir: target };
  const old = join(parent, `.${id}${OLD_MARK}${randomSuffix()}`);
  let movedOld = false;
  try {
    const files: Record<string, Uint8Array> = { ...(await encodeModel(content.model)) };
    if (content.optimizerState) {
      const { data, specs } = await tf.io.encodeWeights(content.optimizerState.tensors);
      files[OPTIMIZER_BIN] = bytesOf(data);
      files[OPTIMIZER_JSON] = new TextEncoder().encode(stringifyJson({ meta: content.optimizerState.meta, specs }));
    }
    files[TRAINER_STATE_JSON] = new TextEncoder().encode(stringifyJson(content.trainerState));

    await mkdir(parent, { recursive: true });
    await mkdir(tempDir);
    await options.onStage?.('temp-created', info);
    for (const [name, data] of Object.entries(files)) await writeFileSynced(join(tempDir, name), data);
    await options.onStage?.('files-written', info);
    const state = content.trainerState as { epoch?: unknown; globalStep?: unknown } | null;
    const manifest: CheckpointManifest = {
      format: 'kiln-checkpoint', version: 1, createdAt: new Date().toISOString(),
      ...(typeof state?.epoch === 'number' ? { epoch: state.epoch } : {}),
      ...(typeof state?.globalStep === 'number' ? { globalStep: state.globalStep } : {}),
      files: Object.fromEntries(Object.entries(files).map(([n, d]) => [n, { sha256: sha256(d), size: d.byteLength }])),
    };
    await writeFileSynced(join(tempDir, MANIFEST_JSON), new TextEncoder().encode(JSON.stringify(manifest, null, 2)));
    await fsyncDir(tempDir);
    await options.onStage?.('manifest-written', info);

    const exists = await stat(target).then(() => true, () => false);
    if (exists) {
      await rename(target, old);
      movedOld = true;
      await options.onStage?.('old-moved-aside', info);
    }
    await rename(tempDir, target);
    movedOld = false;
    await fsyncDir(parent);
    await options.onStage?.('renamed', info);
    if (exists) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
    if (movedOld) await rename(old, target).catch(() => undefined);
    if (isKilnError(e)) throw e;
    throw new KilnError(CheckpointErrorCodes.WRITE_FAILED,
      `Could not write checkpoint ${target}: ${(e as Error)?.message ?? String(e)}. The previous checkpoint, if any, is untouched.`,
      { cause: e, details: { dir: target } });
  }
}
