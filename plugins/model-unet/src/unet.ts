import { KilnError } from '@kiln/core-trainer';
import * as tfl from '@tensorflow/tfjs-layers';
import { UnetErrorCodes } from './errors.js';
import { type UnetConfig, type UnetOptions, resolveUnetConfig } from './options.js';

type SymbolicTensor = tfl.SymbolicTensor;

/** Input shape [height, width, channels]; height and width may be null (any multiple of 2^depth). */
export type UnetInputShape = readonly [number | null, number | null, number];

/** Checks that each spatial size is at least and a multiple of 2^depth (KILN_MODEL_INPUT_TOO_SMALL). */
export function checkUnetInput(shape: UnetInputShape, depth: number): void {
  const step = 2 ** depth;
  shape.slice(0, 2).forEach((size, i) => {
    if (size === null || (size >= step && size % step === 0)) return;
    const axis = i === 0 ? 'height' : 'width';
    let fits = depth;
    while (fits > 0 && (size < 2 ** fits || size % 2 ** fits !== 0)) fits--;
    const nearest = Math.max(step, Math.round(size / step) * step);
    throw new KilnError(UnetErrorCodes.INPUT_TOO_SMALL,
      `UNet option 'depth' = ${depth} needs an input ${axis} that is a multiple of 2^${depth} = ${step}, but the input ${axis} is ${size}. ` +
      `Use depth ≤ ${fits}${fits === 0 ? ' (no valid depth: resize the input)' : ''} or resize the input to ${nearest}.`,
      { details: { option: 'depth', depth, [axis]: size, maxDepth: fits, suggestedSize: nearest } });
  });
}

function convBlock(x: SymbolicTensor, filters: number, prefix: string, c: UnetConfig): SymbolicTensor {
  for (const j of [1, 2]) {
    x = tfl.layers.conv2d({
      filters, kernelSize: 3, padding: 'same', useBias: !c.batchNorm, kernelInitializer: 'heNormal',
      activation: c.batchNorm ? 'linear' : 'relu', name: `${prefix}_conv${j}`,
    }).apply(x) as SymbolicTensor;
    if (c.batchNorm) {
      x = tfl.layers.batchNormalization({ axis: -1, name: `${prefix}_bn${j}` }).apply(x) as SymbolicTensor;
      x = tfl.layers.activation({ activation: 'relu', name: `${prefix}_relu${j}` }).apply(x) as SymbolicTensor;
    }
  }
  return x;
}

function upsample(x: SymbolicTensor, filters: number, prefix: string, c: UnetConfig): SymbolicTensor {
  if (c.upsampling === 'transpose') {
    return tfl.layers.conv2dTranspose({ filters, kernelSize: 2, strides: 2, padding: 'same', kernelInitializer: 'heNormal', name: `${prefix}_up` })
      .apply(x) as SymbolicTensor;
  }
  x = tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: `${prefix}_resize` }).apply(x) as SymbolicTensor;
  return tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal', name: `${prefix}_up` })
    .apply(x) as SymbolicTensor;
}

/**
 * Builds a UNet from a resolved configuration. Layer names are stable (`enc1_conv1`, `bottleneck_bn2`,
 * `dec2_up`, `head`…) so weights load by name. Output: probabilities [N, H, W, numClasses]
 * (sigmoid for one class, softmax over classes otherwise).
 */
export function buildUnetFromConfig(c: UnetConfig, inputShape: UnetInputShape): tfl.LayersModel {
  checkUnetInput(inputShape, c.depth);
  const input = tfl.input({ shape: [inputShape[0], inputShape[1], c.inChannels], name: 'image' });
  const skips: SymbolicTensor[] = [];
  let x: SymbolicTensor = input;
  let filters = c.baseFilters;
  for (let i = 1; i <= c.depth; i++, filters *= 2) {
    x = convBlock(x, filters, `enc${i}`, c);
    skips.push(x);
    x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `enc${i}_pool` }).apply(x) as SymbolicTensor;
  }
  x = convBlock(x, filters, 'bottleneck', c);
  if (c.dropout > 0) x = tfl.layers.dropout({ rate: c.dropout, name: 'bottleneck_dropout' }).apply(x) as SymbolicTensor;
  for (let i = c.depth; i >= 1; i--) {
    filters /= 2;
    x = upsample(x, filters, `dec${i}`, c);
    x = tfl.layers.concatenate({ axis: -1, name: `dec${i}_concat` }).apply([skips[i - 1]!, x]) as SymbolicTensor;
    x = convBlock(x, filters, `dec${i}`, c);
  }
  const output = tfl.layers.conv2d({
    filters: c.numClasses, kernelSize: 1, activation: c.numClasses === 1 ? 'sigmoid' : 'softmax', name: 'head',
  }).apply(x) as SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output, name: `unet_d${c.depth}_f${c.baseFilters}` });
  const levels = Array.from({ length: c.depth }, (_, i) => i + 1);
  model.setUserDefinedMetadata({
    kiln: {
      architecture: `unet-d${c.depth}-f${c.baseFilters}`,
      stages: {
        ...Object.fromEntries(levels.map((i) => [`enc${i}`, `^${i === 1 ? '(image|enc1_.*)' : `enc${i}_.*`}$`])),
        bottleneck: '^bottleneck_.*$',
        ...Object.fromEntries(levels.reverse().map((i) => [`dec${i}`, `^dec${i}_.*$`])),
        head: '^head$',
      },
      headStages: ['head'],
    },
  });
  return model;
}

/**
 * Builds a UNet. Unset options come from `variant` ('small': depth 3, 8 filters, batch norm;
 * 'classic': depth 4, 64 filters, no batch norm, dropout 0.5, as in Ronneberger et al.).
 * @example
 * const model = buildUnet({ inputShape: [64, 64, 3], numClasses: 1 });
 * model.predict(tf.zeros([1, 64, 64, 3])); // [1, 64, 64, 1] probabilities
 */
export function buildUnet(options: UnetOptions & { inputShape?: UnetInputShape } = {}): tfl.LayersModel {
  const { inputShape, ...rest } = options;
  const channels = rest.inChannels ?? inputShape?.[2] ?? 1;
  const config = resolveUnetConfig(rest, { inChannels: channels, numClasses: 1 });
  if (inputShape && inputShape[2] !== config.inChannels) {
    throw new KilnError(UnetErrorCodes.CHANNELS_MISMATCH,
      `UNet option 'inChannels' = ${config.inChannels} differs from inputShape's ${inputShape[2]} channels. Remove 'inChannels' or make them equal.`,
      { details: { option: 'inChannels', inChannels: config.inChannels, inputChannels: inputShape[2] } });
  }
  return buildUnetFromConfig(config, inputShape ?? [null, null, config.inChannels]);
}
