// The benchmark models, built with tfjs-layers directly. keras/bench_keras.py builds the same
// architectures (same layers, filters, shapes, losses) for the Keras 3 comparison.
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * @typedef {{ id: string, title: string, input: [number, number, number], batch: number,
 *   kind: 'classification' | 'segmentation', classes: number, build: () => Promise<tfl.LayersModel> }} BenchModel
 */

function convBnRelu(x, filters, kernelSize = 3, strides = 1) {
  x = tfl.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false }).apply(x);
  x = tfl.layers.batchNormalization().apply(x);
  return tfl.layers.reLU().apply(x);
}

/** 4 blocks of conv3×3-BN-ReLU-maxpool (16, 32, 64, 128 filters), GAP, dense softmax. */
function cnn() {
  const input = tfl.input({ shape: [64, 64, 3] });
  let x = input;
  for (const f of [16, 32, 64, 128]) x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(convBnRelu(x, f));
  x = tfl.layers.globalAveragePooling2d({}).apply(x);
  const out = tfl.layers.dense({ units: 10, activation: 'softmax' }).apply(x);
  return tfl.model({ inputs: input, outputs: out });
}

/** UNet, base 16, 4 levels (16-32-64 encoder, 128 bottleneck: 3 poolings), conv2dTranspose up, sigmoid. */
function unet() {
  const input = tfl.input({ shape: [128, 128, 3] });
  const double = (x, f) => convBnRelu(convBnRelu(x, f), f);
  const skips = [];
  let x = input;
  for (const f of [16, 32, 64]) {
    x = double(x, f);
    skips.push(x);
    x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x);
  }
  x = double(x, 128);
  for (const f of [64, 32, 16]) {
    x = tfl.layers.conv2dTranspose({ filters: f, kernelSize: 2, strides: 2, padding: 'same' }).apply(x);
    x = tfl.layers.concatenate().apply([x, skips.pop()]);
    x = double(x, f);
  }
  const out = tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }).apply(x);
  return tfl.model({ inputs: input, outputs: out });
}

/** MobileNet-v1 style (alpha 0.5): conv s2, 9 depthwise-separable blocks with ReLU6, GAP, dense. */
function mobilenet() {
  const input = tfl.input({ shape: [96, 96, 3] });
  const relu6 = (x) => tfl.layers.reLU({ maxValue: 6 }).apply(x);
  let x = tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(input);
  x = relu6(tfl.layers.batchNormalization().apply(x));
  for (const [f, s] of [[32, 1], [64, 2], [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [256, 1], [512, 2]]) {
    x = tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: s, padding: 'same', useBias: false }).apply(x);
    x = relu6(tfl.layers.batchNormalization().apply(x));
    x = tfl.layers.conv2d({ filters: f, kernelSize: 1, useBias: false }).apply(x);
    x = relu6(tfl.layers.batchNormalization().apply(x));
  }
  x = tfl.layers.globalAveragePooling2d({}).apply(x);
  const out = tfl.layers.dense({ units: 10, activation: 'softmax' }).apply(x);
  return tfl.model({ inputs: input, outputs: out });
}

/** EfficientNet-B0 from @kiln/plugin-model-efficientnet (Keras layer names and parameter count). */
async function efficientnet(size = 128) {
  const { buildEfficientNet } = await import('@kiln/plugin-model-efficientnet');
  return buildEfficientNet({ variant: 'b0', numClasses: 10, inputShape: [size, size, 3] });
}

/** @type {BenchModel[]} */
export const MODELS = [
  { id: 'cnn', title: 'CNN 4-block 64² b32', input: [64, 64, 3], batch: 32, kind: 'classification', classes: 10, build: async () => cnn() },
  { id: 'unet', title: 'UNet base16 4-level 128² b8', input: [128, 128, 3], batch: 8, kind: 'segmentation', classes: 1, build: async () => unet() },
  { id: 'mobilenet', title: 'MobileNet-style α0.5 96² b16', input: [96, 96, 3], batch: 16, kind: 'classification', classes: 10, build: async () => mobilenet() },
  { id: 'efficientnet', title: 'EfficientNet-B0 128² b8', input: [128, 128, 3], batch: 8, kind: 'classification', classes: 10, build: () => efficientnet(128) },
];

/**
 * Models used by other sections only (not in the models × backends table).
 * @type {BenchModel[]}
 */
export const EXTRA_MODELS = [
  // The data section compares the data pipeline with this (issue 6: EfficientNet-B0 at 224²).
  { id: 'efficientnet-224', title: 'EfficientNet-B0 224² b8', input: [224, 224, 3], batch: 8, kind: 'classification', classes: 10, build: () => efficientnet(224) },
];

/** True when the EfficientNet plugin can be imported (built). */
export async function efficientnetAvailable() {
  try {
    await import('@kiln/plugin-model-efficientnet');
    return true;
  } catch {
    return false;
  }
}
