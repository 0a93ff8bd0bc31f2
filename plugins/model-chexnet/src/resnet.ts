import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { type InputShape, type SymbolicTensor, apply, checkMinInput, classifierOptions, classifierTop, parseOptions, tagStages } from './internal/common.js';

/** Options of `buildResNet50`. */
export const resNetOptionsSchema = z.object({ ...classifierOptions }).strict();
export type ResNetOptions = z.infer<typeof resNetOptionsSchema>;

/** Layer-name patterns of ResNet-50 stages, stored in the model's metadata under `kiln.stages`. */
export const RESNET_STAGES: Readonly<Record<string, string>> = {
  stem: '^(input_layer|conv1_.*|pool1_.*)$',
  conv2: '^conv2_.*$', conv3: '^conv3_.*$', conv4: '^conv4_.*$', conv5: '^conv5_.*$',
  head: '^(avg_pool|max_pool|predictions)$',
};

const EPS = 1.001e-5;
const bn = (name: string): tfl.layers.Layer => tfl.layers.batchNormalization({ axis: -1, epsilon: EPS, name });

function block(x: SymbolicTensor, filters: number, stride: number, convShortcut: boolean, name: string): SymbolicTensor {
  let shortcut = x;
  if (convShortcut) {
    shortcut = apply(tfl.layers.conv2d({ kernelInitializer: 'glorotUniform', filters: 4 * filters, kernelSize: 1, strides: stride, name: `${name}_0_conv` }), x);
    shortcut = apply(bn(`${name}_0_bn`), shortcut);
  }
  x = apply(tfl.layers.conv2d({ kernelInitializer: 'glorotUniform', filters, kernelSize: 1, strides: stride, name: `${name}_1_conv` }), x);
  x = apply(bn(`${name}_1_bn`), x);
  x = apply(tfl.layers.activation({ activation: 'relu', name: `${name}_1_relu` }), x);
  x = apply(tfl.layers.conv2d({ kernelInitializer: 'glorotUniform', filters, kernelSize: 3, padding: 'same', name: `${name}_2_conv` }), x);
  x = apply(bn(`${name}_2_bn`), x);
  x = apply(tfl.layers.activation({ activation: 'relu', name: `${name}_2_relu` }), x);
  x = apply(tfl.layers.conv2d({ kernelInitializer: 'glorotUniform', filters: 4 * filters, kernelSize: 1, name: `${name}_3_conv` }), x);
  x = apply(bn(`${name}_3_bn`), x);
  x = apply(tfl.layers.add({ name: `${name}_add` }), [shortcut, x]);
  return apply(tfl.layers.activation({ activation: 'relu', name: `${name}_out` }), x);
}

function stack(x: SymbolicTensor, filters: number, blocks: number, stride: number, name: string): SymbolicTensor {
  x = block(x, filters, stride, true, `${name}_block1`);
  for (let i = 2; i <= blocks; i++) x = block(x, filters, 1, false, `${name}_block${i}`);
  return x;
}

/**
 * Builds ResNet-50 (v1, bottleneck blocks, biased convs) with the layer names and parameter counts of
 * `keras.applications.ResNet50`. Keras' ResNet50 expects 'caffe'-style inputs (BGR, ImageNet mean subtracted).
 * @example
 * const model = buildResNet50(); // ImageNet top: 25,636,712 parameters
 * const xray = buildResNet50({ inputShape: [224, 224, 3], numClasses: 14, classifierActivation: 'sigmoid' });
 */
export function buildResNet50(options: ResNetOptions = {}): tfl.LayersModel {
  const o = parseOptions(resNetOptionsSchema, options, 'ResNet-50');
  const inputShape: InputShape = o.inputShape ?? [224, 224, 3];
  checkMinInput(inputShape, 32, 'ResNet-50');
  const numClasses = o.numClasses ?? 1000;
  const input = tfl.input({ shape: [...inputShape], name: 'input_layer' });
  let x = apply(tfl.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: 'conv1_pad' }), input);
  x = apply(tfl.layers.conv2d({ kernelInitializer: 'glorotUniform', filters: 64, kernelSize: 7, strides: 2, name: 'conv1_conv' }), x);
  x = apply(bn('conv1_bn'), x);
  x = apply(tfl.layers.activation({ activation: 'relu', name: 'conv1_relu' }), x);
  x = apply(tfl.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pool1_pad' }), x);
  x = apply(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }), x);
  x = stack(x, 64, 3, 1, 'conv2');
  x = stack(x, 128, 4, 2, 'conv3');
  x = stack(x, 256, 6, 2, 'conv4');
  x = stack(x, 512, 3, 2, 'conv5');
  x = classifierTop(x, {
    includeTop: o.includeTop ?? true, pooling: o.pooling ?? 'none', numClasses,
    classifierActivation: o.classifierActivation ?? (numClasses === 1 ? 'sigmoid' : 'softmax'),
  });
  const model = tfl.model({ inputs: input, outputs: x, name: 'resnet50' });
  tagStages(model, 'resnet50', RESNET_STAGES);
  return model;
}
