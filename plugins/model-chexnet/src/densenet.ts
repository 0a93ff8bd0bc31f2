import { KilnError } from '@kiln/core-trainer';
import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { ChexnetErrorCodes } from './errors.js';
import { type InputShape, type SymbolicTensor, apply, checkMinInput, classifierOptions, classifierTop, parseOptions, tagStages } from './internal/common.js';

/** Dense-block sizes of the DenseNet variants (Huang et al. 2017; keras.applications). */
export const DENSENET_VARIANTS = { 121: [6, 12, 24, 16], 169: [6, 12, 32, 32], 201: [6, 12, 48, 32] } as const;
export type DenseNetVariant = keyof typeof DENSENET_VARIANTS;

/** Options of `buildDenseNet`. */
export const denseNetOptionsSchema = z.object({
  variant: z.union([z.number().int(), z.string()]).optional().describe('121 (default), 169 or 201'),
  ...classifierOptions,
}).strict();
export type DenseNetOptions = z.infer<typeof denseNetOptionsSchema>;

/** Layer-name patterns of DenseNet stages, stored in the model's metadata under `kiln.stages`. */
export const DENSENET_STAGES: Readonly<Record<string, string>> = {
  stem: '^(input_layer|zero_padding2d(_1)?|conv1_.*|pool1)$',
  conv2: '^conv2_.*$', pool2: '^pool2_.*$', conv3: '^conv3_.*$', pool3: '^pool3_.*$',
  conv4: '^conv4_.*$', pool4: '^pool4_.*$', conv5: '^conv5_.*$', top: '^(bn|relu)$',
  head: '^(avg_pool|max_pool|predictions)$',
};

const EPS = 1.001e-5;
const bn = (name: string): tfl.layers.Layer => tfl.layers.batchNormalization({ axis: -1, epsilon: EPS, name });
const relu = (name: string): tfl.layers.Layer => tfl.layers.activation({ activation: 'relu', name });

function convBlock(x: SymbolicTensor, growth: number, name: string): SymbolicTensor {
  let y = apply(bn(`${name}_0_bn`), x);
  y = apply(relu(`${name}_0_relu`), y);
  y = apply(tfl.layers.conv2d({ kernelInitializer: 'glorotUniform', filters: 4 * growth, kernelSize: 1, useBias: false, name: `${name}_1_conv` }), y);
  y = apply(bn(`${name}_1_bn`), y);
  y = apply(relu(`${name}_1_relu`), y);
  y = apply(tfl.layers.conv2d({ kernelInitializer: 'glorotUniform', filters: growth, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_2_conv` }), y);
  return apply(tfl.layers.concatenate({ axis: -1, name: `${name}_concat` }), [x, y]);
}

function transition(x: SymbolicTensor, reduction: number, name: string): SymbolicTensor {
  x = apply(bn(`${name}_bn`), x);
  x = apply(relu(`${name}_relu`), x);
  x = apply(tfl.layers.conv2d({ kernelInitializer: 'glorotUniform', filters: Math.floor(x.shape[3]! * reduction), kernelSize: 1, useBias: false, name: `${name}_conv` }), x);
  return apply(tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, name: `${name}_pool` }), x);
}

/** Resolves a DenseNet variant given as 121 / '121' / 'densenet121' (KILN_MODEL_UNKNOWN_VARIANT otherwise). */
export function denseNetVariant(v: number | string | undefined): DenseNetVariant {
  const n = Number(String(v ?? 121).toLowerCase().replace(/^densenet-?/, ''));
  if (n in DENSENET_VARIANTS) return n as DenseNetVariant;
  throw new KilnError(ChexnetErrorCodes.UNKNOWN_VARIANT,
    `Unknown DenseNet variant '${v}' (option 'variant'). Available: ${Object.keys(DENSENET_VARIANTS).join(', ')}.`,
    { details: { option: 'variant', value: v, available: Object.keys(DENSENET_VARIANTS).map(Number) } });
}

/**
 * Builds DenseNet-121/169/201 with the layer names and parameter counts of
 * `keras.applications.DenseNet121/169/201` (growth rate 32, compression 0.5, BN ε 1.001e-5).
 * Keras' DenseNet expects 'torch'-style inputs: pixels/255 normalized by ImageNet mean and std.
 * @example
 * const model = buildDenseNet({ variant: 121 }); // ImageNet top: 8,062,504 parameters
 * const features = buildDenseNet({ inputShape: [224, 224, 3], includeTop: false, pooling: 'avg' });
 */
export function buildDenseNet(options: DenseNetOptions = {}): tfl.LayersModel {
  const o = parseOptions(denseNetOptionsSchema, options, 'DenseNet');
  const variant = denseNetVariant(o.variant);
  const inputShape: InputShape = o.inputShape ?? [224, 224, 3];
  checkMinInput(inputShape, 32, `DenseNet-${variant}`);
  const numClasses = o.numClasses ?? 1000;
  const input = tfl.input({ shape: [...inputShape], name: 'input_layer' });
  let x = apply(tfl.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: 'zero_padding2d' }), input);
  x = apply(tfl.layers.conv2d({ kernelInitializer: 'glorotUniform', filters: 64, kernelSize: 7, strides: 2, useBias: false, name: 'conv1_conv' }), x);
  x = apply(bn('conv1_bn'), x);
  x = apply(relu('conv1_relu'), x);
  x = apply(tfl.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'zero_padding2d_1' }), x);
  x = apply(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1' }), x);
  DENSENET_VARIANTS[variant].forEach((blocks, i) => {
    for (let b = 1; b <= blocks; b++) x = convBlock(x, 32, `conv${i + 2}_block${b}`);
    if (i < 3) x = transition(x, 0.5, `pool${i + 2}`);
  });
  x = apply(bn('bn'), x);
  x = apply(relu('relu'), x);
  x = classifierTop(x, {
    includeTop: o.includeTop ?? true, pooling: o.pooling ?? 'none', numClasses,
    classifierActivation: o.classifierActivation ?? (numClasses === 1 ? 'sigmoid' : 'softmax'),
  });
  const model = tfl.model({ inputs: input, outputs: x, name: `densenet${variant}` });
  tagStages(model, `densenet-${variant}`, DENSENET_STAGES);
  return model;
}
