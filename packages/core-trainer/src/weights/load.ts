import type * as tfl from '@tensorflow/tfjs-layers';
import { stat } from 'node:fs/promises';
import { KilnError } from '../errors.js';
import { type LoadWeightsOptions, type WeightLoadReport, applyWeights } from './apply.js';
import { WeightsErrorCodes } from './errors.js';
import { readKerasWeights } from './read-keras.js';
import { readTfjsWeights } from './read-tfjs.js';
import type { WeightSet } from './weight-set.js';

/**
 * Reads a weights file by its kind: `*.h5` → Keras (h5wasm), `model.json` or a directory holding
 * one → tfjs layers format. Anything else throws KILN_WEIGHTS_FORMAT_UNKNOWN.
 * @example const set = await readWeights('checkpoints/best'); // tfjs directory
 */
export async function readWeights(path: string): Promise<WeightSet> {
  if (/\.(weights\.)?h5$|\.hdf5$/i.test(path)) return readKerasWeights(path);
  if (/\.json$/i.test(path) || (await stat(path).then((s) => s.isDirectory(), () => false))) return readTfjsWeights(path);
  throw new KilnError(WeightsErrorCodes.FORMAT_UNKNOWN,
    `Cannot tell the format of '${path}': pass a Keras .weights.h5 / .h5 file, a tfjs model.json, or a directory holding model.json.`, { details: { path } });
}

/**
 * Loads weights from disk into a model by layer name and returns the report of matched, missing,
 * unexpected and skipped-mismatched weights (see `applyWeights` for the rules).
 * @example
 * const model = buildCheXNet();
 * const report = await loadWeights(model, 'densenet121.weights.h5', { strict: false });
 * console.log(report.matched.length, report.missing); // backbone loaded; the new 14-way head kept
 */
export async function loadWeights(model: tfl.LayersModel, path: string, options: LoadWeightsOptions = {}): Promise<WeightLoadReport> {
  return applyWeights(model, await readWeights(path), options);
}
