import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { join } from 'node:path';
import type { OptimizerState } from '../contracts/optimizer.js';
import { KilnError } from '../errors.js';
import { CheckpointErrorCodes } from './codes.js';
import { arrayBufferOf, parseJson } from './fs-utils.js';
import { type CheckpointManifest, OPTIMIZER_BIN, OPTIMIZER_JSON, TRAINER_STATE_JSON, verifyCheckpoint } from './manifest.js';
import { MODEL_JSON, decodeModel } from './model-files.js';

export interface LoadedCheckpoint {
  readonly dir: string;
  readonly manifest: CheckpointManifest;
  /** A new model with the checkpoint's weights; copy them into a live model with `setWeights`. */
  readonly model: tfl.LayersModel;
  /** Tensors owned by the caller (dispose them after `optimizer.loadStateDict`); absent if none was saved. */
  readonly optimizerState?: OptimizerState;
  readonly trainerState: unknown;
}

/**
 * Reads a checkpoint written by `writeCheckpoint` after verifying every file against the
 * manifest. Never loads silently: a missing, truncated or altered file throws
 * KILN_CHECKPOINT_CORRUPT naming it; no manifest at all throws KILN_CHECKPOINT_NOT_FOUND.
 * @example const ckpt = await readCheckpoint('runs/demo/checkpoints/last'); live.setWeights(ckpt.model.getWeights());
 */
export async function readCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const { manifest, files } = await verifyCheckpoint(dir);
  const json = (name: string): unknown => {
    try {
      return parseJson(new TextDecoder().decode(files.get(name)));
    } catch (e) {
      throw new KilnError(CheckpointErrorCodes.CORRUPT, `Checkpoint ${dir} is corrupt: ${join(dir, name)} is not valid JSON.`, { cause: e, details: { dir, file: join(dir, name) } });
    }
  };
  const trainerState = json(TRAINER_STATE_JSON);
  let optimizerState: OptimizerState | undefined;
  if (files.has(OPTIMIZER_JSON) !== files.has(OPTIMIZER_BIN)) {
    const missing = files.has(OPTIMIZER_JSON) ? OPTIMIZER_BIN : OPTIMIZER_JSON;
    throw new KilnError(CheckpointErrorCodes.CORRUPT, `Checkpoint ${dir} is corrupt: ${join(dir, missing)} is not in the manifest.`, { details: { dir, file: join(dir, missing) } });
  }
  if (files.has(OPTIMIZER_JSON)) {
    const { meta, specs } = json(OPTIMIZER_JSON) as { meta: Record<string, unknown>; specs: tf.io.WeightsManifestEntry[] };
    optimizerState = { meta, tensors: tf.io.decodeWeights(arrayBufferOf(files.get(OPTIMIZER_BIN)!), specs) };
  }
  const model = await decodeModel(files.get(MODEL_JSON)!, async (p) => {
    const data = files.get(p);
    if (!data) throw new KilnError(CheckpointErrorCodes.CORRUPT, `Checkpoint ${dir} is corrupt: ${join(dir, MODEL_JSON)} names weights file '${p}', which the manifest does not list.`, { details: { dir, file: join(dir, p) } });
    return data;
  }, dir);
  return { dir, manifest, model, optimizerState, trainerState };
}
