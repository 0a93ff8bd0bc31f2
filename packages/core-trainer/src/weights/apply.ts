import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { KilnError } from '../errors.js';
import { WeightsErrorCodes } from './errors.js';
import { type LayerPattern, headLayers, patternToRegExp } from './stages.js';
import type { WeightData, WeightSet } from './weight-set.js';

/** How `applyWeights` / `loadWeights` treat differences between the file and the model. */
export interface LoadWeightsOptions {
  /** Default true: every model weight must be in the file and every file weight in the model. */
  readonly strict?: boolean;
  /** Layers to leave untouched (their file weights are neither loaded nor reported as unexpected). */
  readonly skip?: readonly LayerPattern[];
  /**
   * Layers whose shape mismatches are skipped instead of thrown. Default: none when strict, the
   * model's head stages when `strict: false` (so a 1000-class head does not block a 14-class one).
   */
  readonly skipMismatched?: readonly LayerPattern[] | 'head';
}

/** A shape difference that was skipped (see `skipMismatched`). */
export interface SkippedWeight {
  readonly name: string;
  readonly fileShape: readonly number[];
  readonly modelShape: readonly number[];
}

/** What was loaded: weight names `layer/weight` (model side for matched and missing, file side for unexpected). */
export interface WeightLoadReport {
  readonly source: string;
  readonly format: WeightSet['format'];
  readonly matched: string[];
  readonly missing: string[];
  readonly unexpected: string[];
  readonly mismatched: SkippedWeight[];
}

const short = (layer: tfl.layers.Layer, w: tfl.LayerVariable): string =>
  w.originalName.startsWith(`${layer.name}/`) ? w.originalName.slice(layer.name.length + 1) : w.originalName.slice(w.originalName.lastIndexOf('/') + 1);

const list = (names: readonly string[]): string => names.slice(0, 8).join(', ') + (names.length > 8 ? `, … (${names.length} in all)` : '');

function mismatchError(set: WeightSet, layer: tfl.layers.Layer, wName: string, file: WeightData, modelShape: number[], firstConv: boolean): KilnError {
  let hint = `Build the model with the file's architecture, or skip layer '${layer.name}' (option skip).`;
  if (firstConv && file.shape.length === 4 && modelShape.length === 4 && file.shape[2] !== modelShape[2]) {
    hint = `The weights expect ${file.shape[2]} input channels but the model has ${modelShape[2]}: build it with ${file.shape[2]} channels ` +
      `(inputShape [h, w, ${file.shape[2]}]${file.shape[2] === 3 ? ', e.g. grayscale images repeated to RGB' : ''}).`;
  } else if (file.shape.length === 2 || file.shape.length === 1) {
    hint += ` A different class count? Load with strict: false to keep a new head.`;
  }
  return new KilnError(WeightsErrorCodes.SHAPE_MISMATCH,
    `Weight '${layer.name}/${wName}' has shape [${file.shape.join(', ')}] in ${set.source} but [${modelShape.join(', ')}] in the model. ${hint}`,
    { details: { layer: layer.name, weight: wName, fileShape: file.shape, modelShape, source: set.source } });
}

/**
 * Writes weights read from a file into a model by layer name and returns what matched. Validates
 * everything before writing anything: shape mismatches throw KILN_WEIGHTS_SHAPE_MISMATCH (unless
 * skipped), and in strict mode missing / unexpected weights throw KILN_WEIGHTS_MISSING / _UNEXPECTED.
 * @example const report = applyWeights(model, await readKerasWeights('b0.weights.h5'), { strict: false });
 */
export function applyWeights(model: tfl.LayersModel, set: WeightSet, options: LoadWeightsOptions = {}): WeightLoadReport {
  const strict = options.strict ?? true;
  const skip = (options.skip ?? []).map(patternToRegExp);
  const tolerated = options.skipMismatched === 'head' || (options.skipMismatched === undefined && !strict)
    ? new Set(headLayers(model).map((l) => l.name))
    : new Set(model.layers.filter((l) => (options.skipMismatched as LayerPattern[] | undefined ?? []).map(patternToRegExp).some((r) => r.test(l.name))).map((l) => l.name));
  const report: WeightLoadReport = { source: set.source, format: set.format, matched: [], missing: [], unexpected: [], mismatched: [] };
  const writes: [tfl.LayerVariable, WeightData][] = [];
  const seen = new Set<string>();
  const firstConv = model.layers.find((l) => l.weights.some((w) => w.shape.length === 4));
  for (const layer of model.layers) {
    if (!layer.weights.length) continue;
    const skipped = skip.some((r) => r.test(layer.name));
    if (skipped) {
      seen.add(layer.name);
      continue;
    }
    const file = set.layers.get(layer.name);
    if (file) seen.add(layer.name);
    const used = new Set<WeightData>();
    layer.weights.forEach((w, i) => {
      const name = short(layer, w);
      const data = !file ? undefined : set.matchBy === 'name' ? file.find((d) => d.name === name) : file[i];
      if (!data) {
        report.missing.push(`${layer.name}/${name}`);
        return;
      }
      used.add(data);
      const modelShape = w.shape as number[];
      if (data.shape.length !== modelShape.length || data.shape.some((d, k) => d !== modelShape[k])) {
        if (!tolerated.has(layer.name)) throw mismatchError(set, layer, name, data, modelShape, layer === firstConv);
        report.mismatched.push({ name: `${layer.name}/${name}`, fileShape: data.shape, modelShape });
        return;
      }
      writes.push([w, data]);
      report.matched.push(`${layer.name}/${name}`);
    });
    for (const d of file ?? []) if (!used.has(d)) report.unexpected.push(`${layer.name}/${d.name}`);
  }
  for (const [layer, ws] of set.layers) if (!seen.has(layer)) report.unexpected.push(...ws.map((d) => `${layer}/${d.name}`));
  if (strict && report.missing.length) {
    throw new KilnError(WeightsErrorCodes.MISSING,
      `${report.missing.length} model weight(s) are not in ${set.source}: ${list(report.missing)}. Load with strict: false to keep their initial values (e.g. a new head).`,
      { details: { missing: report.missing, source: set.source } });
  }
  if (strict && report.unexpected.length) {
    throw new KilnError(WeightsErrorCodes.UNEXPECTED,
      `${set.source} has ${report.unexpected.length} weight(s) for layers the model lacks: ${list(report.unexpected)}. Load with strict: false to ignore them.`,
      { details: { unexpected: report.unexpected, source: set.source } });
  }
  for (const [w, d] of writes) {
    const t = tf.tensor(d.data, [...d.shape], w.dtype === 'int32' ? 'int32' : 'float32');
    w.write(t);
    t.dispose();
  }
  return report;
}
