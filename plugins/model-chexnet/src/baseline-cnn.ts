import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { type InputShape, apply, checkMinInput, inputShapeSchema, parseOptions, tagStages } from './internal/common.js';

/** Options of `buildBaselineCnn`. */
export const baselineCnnOptionsSchema = z.object({
  numClasses: z.number().int().min(1).optional().describe('outputs (default: the dataset\'s; 2 when built directly)'),
  inputShape: inputShapeSchema.optional().describe('[height, width, channels] (default 64×64×3); at least 8×8'),
  filters: z.number().int().min(1).optional().describe('filters of the first conv, doubled twice (default 32)'),
  units: z.number().int().min(1).optional().describe('units of the hidden dense layer (default 128)'),
  dropout: z.number().min(0).max(0.95).optional().describe('dropout before the classifier (default 0.5)'),
  batchNorm: z.boolean().optional().describe('batch norm after each conv (default false)'),
  classifierActivation: z.enum(['softmax', 'sigmoid', 'linear']).optional().describe('default softmax; sigmoid for multi-label or one class'),
}).strict();
export type BaselineCnnOptions = z.infer<typeof baselineCnnOptionsSchema>;

/**
 * The small 5-layer baseline CNN: three 3×3 conv + ReLU + 2×2 max-pool stages (f, 2f, 4f filters),
 * global average pooling, a hidden dense layer with dropout, and the classifier.
 * @example const model = buildBaselineCnn({ inputShape: [64, 64, 3], numClasses: 7 });
 */
export function buildBaselineCnn(options: BaselineCnnOptions = {}): tfl.LayersModel {
  const o = parseOptions(baselineCnnOptionsSchema, options, 'cnn-baseline');
  const inputShape: InputShape = o.inputShape ?? [64, 64, 3];
  checkMinInput(inputShape, 8, 'cnn-baseline');
  const numClasses = o.numClasses ?? 2;
  const filters = o.filters ?? 32;
  const input = tfl.input({ shape: [...inputShape], name: 'input_layer' });
  let x = input;
  for (let i = 1; i <= 3; i++) {
    x = apply(tfl.layers.conv2d({
      filters: filters * 2 ** (i - 1), kernelSize: 3, padding: 'same', useBias: !o.batchNorm,
      activation: o.batchNorm ? 'linear' : 'relu', kernelInitializer: 'heNormal', name: `conv${i}`,
    }), x);
    if (o.batchNorm) {
      x = apply(tfl.layers.batchNormalization({ axis: -1, name: `bn${i}` }), x);
      x = apply(tfl.layers.activation({ activation: 'relu', name: `relu${i}` }), x);
    }
    x = apply(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${i}` }), x);
  }
  x = apply(tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  x = apply(tfl.layers.dense({ units: o.units ?? 128, activation: 'relu', kernelInitializer: 'heNormal', name: 'fc1' }), x);
  const dropout = o.dropout ?? 0.5;
  if (dropout > 0) x = apply(tfl.layers.dropout({ rate: dropout, name: 'dropout' }), x);
  x = apply(tfl.layers.dense({ units: numClasses, activation: o.classifierActivation ?? (numClasses === 1 ? 'sigmoid' : 'softmax'), name: 'predictions' }), x);
  const model = tfl.model({ inputs: input, outputs: x, name: 'cnn_baseline' });
  tagStages(model, 'cnn-baseline', {
    stem: '^(input_layer|conv1|bn1|relu1|pool1)$', conv2: '^(conv2|bn2|relu2|pool2)$', conv3: '^(conv3|bn3|relu3|pool3)$',
    head: '^(avg_pool|fc1|dropout|predictions)$',
  });
  return model;
}
