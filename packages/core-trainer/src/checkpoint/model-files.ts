import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CheckpointErrorCodes } from './codes.js';
import { KilnError } from '../errors.js';
import { arrayBufferOf, bytesOf } from './fs-utils.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/**
 * The bytes of `model` in the tfjs layers format: `model.json` (topology + weights manifest
 * pointing at `weights.bin`) and `weights.bin`, as `tf.io.withSaveHandler` hands them over.
 */
export async function encodeModel(model: tfl.LayersModel): Promise<Record<string, Uint8Array>> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
  }));
  const a = artifacts!;
  const json: Record<string, unknown> = {
    modelTopology: a.modelTopology,
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: a.weightSpecs ?? [] }],
  };
  for (const k of ['trainingConfig', 'signature', 'userDefinedMetadata'] as const) if (a[k] !== undefined) json[k] = a[k];
  const weights = a.weightData === undefined ? new Uint8Array(0) : bytesOf(tf.io.CompositeArrayBuffer.join(a.weightData));
  return { [MODEL_JSON]: new TextEncoder().encode(JSON.stringify(json)), [WEIGHTS_BIN]: weights };
}

/** Builds a LayersModel from `model.json` bytes and a reader for the weight files it names. */
export async function decodeModel(modelJson: Uint8Array, readWeights: (path: string) => Promise<Uint8Array>, where: string): Promise<tfl.LayersModel> {
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(new TextDecoder().decode(modelJson)) as tf.io.ModelJSON;
  } catch (e) {
    throw new KilnError(CheckpointErrorCodes.CORRUPT, `${join(where, MODEL_JSON)} is not valid JSON: the model file is damaged.`, { cause: e, details: { file: join(where, MODEL_JSON) } });
  }
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs = manifest.flatMap((g) => g.weights);
    const parts: Uint8Array[] = [];
    for (const g of manifest) for (const p of g.paths) parts.push(await readWeights(p.replace(/^\.\//, '')));
    return [specs, tf.io.CompositeArrayBuffer.join(parts.map(arrayBufferOf))];
  });
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts));
}

/**
 * Saves `model` to `dir` as `model.json` + `weights.bin` (the standard tfjs layers format, loadable
 * by `tf.loadLayersModel` in a browser or by `loadModelFiles`), with plain node:fs.
 * @example await saveModelFiles(model, 'runs/demo/model'); const again = await loadModelFiles('runs/demo/model');
 */
export async function saveModelFiles(model: tfl.LayersModel, dir: string): Promise<void> {
  const files = await encodeModel(model);
  await mkdir(dir, { recursive: true });
  for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data);
}

/**
 * Loads a tfjs layers model saved by `saveModelFiles` (or by tfjs' file:// saver, sharded weights included).
 * @example const model = await loadModelFiles('runs/demo/model');
 */
export async function loadModelFiles(dir: string): Promise<tfl.LayersModel> {
  let modelJson: Uint8Array;
  try {
    modelJson = await readFile(join(dir, MODEL_JSON));
  } catch (e) {
    throw new KilnError(CheckpointErrorCodes.NOT_FOUND, `No ${MODEL_JSON} in ${dir}: pass the directory a model was saved to.`, { cause: e, details: { dir } });
  }
  return decodeModel(modelJson, (p) => readFile(join(dir, p)), dir);
}
