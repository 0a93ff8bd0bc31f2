import type * as tfl from '@tensorflow/tfjs-layers';
import { getModelMetadata, getModelStages, stageOfLayer } from './stages.js';
import { sizeOf } from './weight-set.js';

export type ShapeDesc = (number | null)[];

/** One layer of a model description. */
export interface LayerDescription {
  readonly name: string;
  readonly className: string;
  /** Output shape with the batch dimension (null); several for multi-output layers. */
  readonly outputShape: ShapeDesc | ShapeDesc[];
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  readonly stage?: string;
}

/** What `kiln models describe` prints. */
export interface ModelDescription {
  readonly name: string;
  readonly architecture?: string;
  readonly inputShapes: ShapeDesc[];
  readonly outputShapes: ShapeDesc[];
  readonly layers: LayerDescription[];
  readonly totalParams: number;
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  readonly stages: string[];
}

const count = (ws: readonly tfl.LayerVariable[]): number => ws.reduce((n, w) => n + sizeOf(w.shape), 0);

/**
 * Describes a model without running it: per layer the class, output shape, trainable and
 * non-trainable parameters and stage; totals as Keras' `model.summary()` counts them.
 * @example const d = describeModel(model); console.log(d.totalParams, d.layers[1].outputShape)
 */
export function describeModel(model: tfl.LayersModel): ModelDescription {
  const stages = getModelStages(model);
  return {
    name: model.name,
    architecture: getModelMetadata(model).architecture,
    inputShapes: model.inputs.map((t) => [...t.shape]),
    outputShapes: model.outputs.map((t) => [...t.shape]),
    layers: model.layers.map((l) => ({
      name: l.name,
      className: l.getClassName(),
      outputShape: l.outputShape as ShapeDesc | ShapeDesc[],
      trainableParams: count(l.trainableWeights),
      nonTrainableParams: count(l.nonTrainableWeights),
      stage: stageOfLayer(stages, l.name),
    })),
    totalParams: count(model.weights),
    trainableParams: count(model.trainableWeights),
    nonTrainableParams: count(model.nonTrainableWeights),
    stages: [...stages.keys()],
  };
}

const fmtShape = (s: ShapeDesc | ShapeDesc[]): string =>
  Array.isArray(s[0]) ? (s as ShapeDesc[]).map(fmtShape).join(' ') : `[${(s as ShapeDesc).map((d) => d ?? 'N').join(',')}]`;
const n = (v: number): string => v.toLocaleString('en-US');

/**
 * Formats a description as a plain-text table (one row per layer, totals at the end); `maxLayers`
 * keeps the first and last rows of long models.
 * @example console.log(formatModelDescription(describeModel(model), { maxLayers: 40 }))
 */
export function formatModelDescription(d: ModelDescription, options: { maxLayers?: number } = {}): string {
  const rows: string[][] = [['layer', 'type', 'output shape', 'params', 'non-trainable', 'stage']];
  let layers: (LayerDescription | undefined)[] = d.layers;
  const max = options.maxLayers ?? Infinity;
  if (layers.length > max) layers = [...d.layers.slice(0, Math.ceil(max / 2)), undefined, ...d.layers.slice(-Math.floor(max / 2))];
  for (const l of layers) {
    rows.push(l ? [l.name, l.className, fmtShape(l.outputShape), n(l.trainableParams + l.nonTrainableParams), n(l.nonTrainableParams), l.stage ?? ''] : ['…', `(${d.layers.length - max} more)`, '', '', '', '']);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) => r.map((cell, c) => (c >= 3 && c <= 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
  return [
    `Model: ${d.name}${d.architecture ? ` (${d.architecture})` : ''}  input ${d.inputShapes.map(fmtShape).join(' ')} → output ${d.outputShapes.map(fmtShape).join(' ')}`,
    ...lines,
    `Total params: ${n(d.totalParams)}  Trainable: ${n(d.trainableParams)}  Non-trainable: ${n(d.nonTrainableParams)}`,
    ...(d.stages.length ? [`Stages: ${d.stages.join(', ')}`] : []),
  ].join('\n');
}
