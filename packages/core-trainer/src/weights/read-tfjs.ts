import * as tf from '@tensorflow/tfjs-core';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KilnError } from '../errors.js';
import { WeightsErrorCodes } from './errors.js';
import type { WeightData, WeightSet } from './weight-set.js';

interface ModelJson {
  readonly weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

async function readOrThrow(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new KilnError(WeightsErrorCodes.NOT_FOUND, `Cannot read ${what} '${path}': ${(cause as Error).message}. Check the path.`, { cause, details: { path } });
  }
}

/**
 * Reads the weights of a model saved in the tfjs layers format (model.json + .bin shards), from the
 * model.json path or its directory. Weight names `layer/kernel` are grouped by layer.
 * @example const set = await readTfjsWeights('runs/demo/model'); set.layers.get('head')
 */
export async function readTfjsWeights(path: string): Promise<WeightSet> {
  const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
  const jsonPath = isDir ? join(path, 'model.json') : path;
  let json: ModelJson;
  try {
    json = JSON.parse((await readOrThrow(jsonPath, 'tfjs model file')).toString('utf8')) as ModelJson;
  } catch (cause) {
    if (cause instanceof KilnError) throw cause;
    throw new KilnError(WeightsErrorCodes.FORMAT_UNKNOWN, `'${jsonPath}' is not JSON: expected a tfjs model.json. ${(cause as Error).message}`, { cause, details: { path: jsonPath } });
  }
  if (!Array.isArray(json.weightsManifest)) {
    throw new KilnError(WeightsErrorCodes.FORMAT_UNKNOWN, `'${jsonPath}' has no weightsManifest: expected a model.json written by tfjs model.save().`, { details: { path: jsonPath } });
  }
  const layers = new Map<string, WeightData[]>();
  for (const group of json.weightsManifest) {
    const shards = await Promise.all(group.paths.map((p) => readOrThrow(join(dirname(jsonPath), p), 'weights shard')));
    const buffer = Buffer.concat(shards);
    const named = tf.io.decodeWeights(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength), group.weights);
    for (const spec of group.weights) {
      const t = named[spec.name]!;
      const cut = spec.name.lastIndexOf('/');
      const layer = cut < 0 ? spec.name : spec.name.slice(0, cut);
      const data = t.dtype === 'int32' || t.dtype === 'bool' ? Int32Array.from(t.dataSync()) : Float32Array.from(t.dataSync());
      const entry: WeightData = { name: spec.name.slice(cut + 1), shape: t.shape, dtype: data instanceof Int32Array ? 'int32' : 'float32', data };
      layers.set(layer, [...(layers.get(layer) ?? []), entry]);
      t.dispose();
    }
  }
  return { format: 'tfjs', source: jsonPath, matchBy: 'name', layers };
}
