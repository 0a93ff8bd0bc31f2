import { KilnError } from '@kiln/core-trainer';
import * as tfl from '@tensorflow/tfjs-layers';
import { z, type ZodType } from 'zod';
import { ChexnetErrorCodes } from '../errors.js';

export type SymbolicTensor = tfl.SymbolicTensor;
export type InputShape = readonly [number | null, number | null, number];

/** Applies a layer to one or several symbolic tensors. */
export const apply = (layer: tfl.layers.Layer, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => layer.apply(x) as SymbolicTensor;

/** Zod shape for `[height, width, channels]` with nullable spatial sizes. */
export const inputShapeSchema = z.tuple([z.number().int().min(1).nullable(), z.number().int().min(1).nullable(), z.number().int().min(1)]);

/** Parses options with a schema, mapping the first issue to KILN_MODEL_OPTIONS_INVALID naming the field. */
export function parseOptions<T>(schema: ZodType<T>, options: unknown, model: string): T {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || '(options)';
  throw new KilnError(ChexnetErrorCodes.OPTIONS_INVALID, `${model} option '${field}': ${issue.message}.`, { details: { field } });
}

/** Throws KILN_MODEL_INPUT_TOO_SMALL when a known spatial size is below `min`. */
export function checkMinInput(shape: InputShape, min: number, model: string): void {
  if ((shape[0] !== null && shape[0] < min) || (shape[1] !== null && shape[1] < min)) {
    throw new KilnError(ChexnetErrorCodes.INPUT_TOO_SMALL,
      `${model} needs inputs of at least ${min}×${min} (option 'inputShape' is ${JSON.stringify(shape)}). Resize the images to ≥ ${min}.`,
      { details: { option: 'inputShape', inputShape: shape, minimum: min } });
  }
}

/** The classification top shared by DenseNet and ResNet (Keras naming), or pooling without it. */
export function classifierTop(x: SymbolicTensor, o: { includeTop: boolean; pooling: 'avg' | 'max' | 'none'; numClasses: number; classifierActivation: string }): SymbolicTensor {
  if (o.includeTop) {
    x = apply(tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
    return apply(tfl.layers.dense({ kernelInitializer: 'glorotUniform', units: o.numClasses, activation: o.classifierActivation as 'softmax', name: 'predictions' }), x);
  }
  if (o.pooling === 'avg') return apply(tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  if (o.pooling === 'max') return apply(tfl.layers.globalMaxPooling2d({ name: 'max_pool' }), x);
  return x;
}

/** Options shared by the Keras-compatible classifiers. */
export const classifierOptions = {
  numClasses: z.number().int().min(1).optional().describe('classifier outputs; default: the dataset\'s (1000 when built directly)'),
  inputShape: inputShapeSchema.optional().describe('[height, width, channels]; default: the dataset\'s (224×224×3 when built directly)'),
  includeTop: z.boolean().optional().describe('global average pooling + dense classifier (default true)'),
  pooling: z.enum(['avg', 'max', 'none']).optional().describe('with includeTop false: global pooling of the features (default none)'),
  classifierActivation: z.enum(['softmax', 'sigmoid', 'linear']).optional().describe('default softmax; sigmoid for multi-label or one class'),
};

/** Stores stage patterns (for freezing by stage) in the model's user metadata under `kiln`. */
export function tagStages(model: tfl.LayersModel, architecture: string, stages: Record<string, string>): void {
  model.setUserDefinedMetadata({ kiln: { architecture, stages, headStages: ['head'] } });
}
