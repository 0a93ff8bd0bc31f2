import { KilnError } from '@kiln/core-trainer';
import * as tfl from '@tensorflow/tfjs-layers';
import { EfficientNetErrorCodes } from './errors.js';
import { convInit, correctPad, denseInit, mbConv } from './internal/mbconv.js';
import { KerasNormalization, registerEfficientNetLayers } from './normalization-layer.js';
import { type EfficientNetConfig, type EfficientNetOptions, resolveEfficientNetConfig } from './options.js';
import { B0_STAGES, EFFICIENTNET_VARIANTS, roundFilters, roundRepeats } from './variants.js';

type SymbolicTensor = tfl.SymbolicTensor;
const IMAGENET_STD = [0.229, 0.224, 0.225];
const apply = (layer: tfl.layers.Layer, x: SymbolicTensor): SymbolicTensor => layer.apply(x) as SymbolicTensor;

/** Layer-name patterns of the stages (for freezing by stage); stored in the model's user metadata under `kiln.stages`. */
export const EFFICIENTNET_STAGES: Readonly<Record<string, string>> = {
  stem: '^(input_layer|rescaling|normalization|stem_.*)$',
  ...Object.fromEntries(B0_STAGES.map((_, i) => [`block${i + 1}`, `^block${i + 1}[a-z]_.*$`])),
  top: '^top_(conv|bn|activation)$',
  head: '^(avg_pool|max_pool|top_dropout|predictions)$',
};

/** Builds an EfficientNet from a resolved configuration (see `buildEfficientNet`). */
export function buildEfficientNetFromConfig(c: EfficientNetConfig): tfl.LayersModel {
  registerEfficientNetLayers();
  const [h, w] = c.inputShape;
  for (const size of [h, w]) {
    if (size !== null && size < 32) {
      throw new KilnError(EfficientNetErrorCodes.INPUT_TOO_SMALL,
        `EfficientNet-${c.variant.toUpperCase()} needs inputs of at least 32×32 (option 'inputShape' is ${JSON.stringify(c.inputShape)}). ` +
        `Resize the images to ≥ 32 (the variant's native size is ${EFFICIENTNET_VARIANTS[c.variant].resolution}).`,
        { details: { option: 'inputShape', inputShape: c.inputShape, minimum: 32 } });
    }
  }
  const v = EFFICIENTNET_VARIANTS[c.variant];
  const input = tfl.input({ shape: [...c.inputShape], name: 'input_layer' });
  let x: SymbolicTensor = input;
  if (c.preprocessing) {
    x = apply(tfl.layers.rescaling({ scale: 1 / 255, name: 'rescaling' }), x);
    x = apply(new KerasNormalization({ name: 'normalization' }), x);
    if (c.imagenetRescaling) {
      // Keras divides once more by √std with ImageNet weights (tensorflow/tensorflow#49930); a per-channel scale
      x = apply(tfl.layers.rescaling({ scale: IMAGENET_STD.map((s) => 1 / Math.sqrt(s)) as unknown as number, name: 'rescaling_1' }), x);
    }
  }
  x = apply(tfl.layers.zeroPadding2d({ padding: correctPad(x, 3), name: 'stem_conv_pad' }), x);
  x = apply(tfl.layers.conv2d({
    filters: roundFilters(32, v.width), kernelSize: 3, strides: 2, padding: 'valid', useBias: false, kernelInitializer: convInit(), name: 'stem_conv',
  }), x);
  x = apply(tfl.layers.batchNormalization({ axis: -1, name: 'stem_bn' }), x);
  x = apply(tfl.layers.activation({ activation: 'swish', name: 'stem_activation' }), x);

  const total = B0_STAGES.reduce((n, s) => n + roundRepeats(s.repeats, v.depth), 0);
  let b = 0;
  B0_STAGES.forEach((s, i) => {
    const filtersOut = roundFilters(s.filtersOut, v.width);
    let filtersIn = roundFilters(s.filtersIn, v.width);
    const repeats = roundRepeats(s.repeats, v.depth);
    for (let j = 0; j < repeats; j++, b++) {
      x = mbConv(x, {
        name: `block${i + 1}${String.fromCharCode(97 + j)}_`, filtersIn, filtersOut, kernel: s.kernel,
        strides: j === 0 ? s.strides : 1, expand: s.expand, seRatio: s.seRatio, dropRate: (c.dropConnect * b) / total,
      });
      filtersIn = filtersOut;
    }
  });

  x = apply(tfl.layers.conv2d({ filters: roundFilters(1280, v.width), kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: convInit(), name: 'top_conv' }), x);
  x = apply(tfl.layers.batchNormalization({ axis: -1, name: 'top_bn' }), x);
  x = apply(tfl.layers.activation({ activation: 'swish', name: 'top_activation' }), x);
  if (c.includeTop) {
    x = apply(tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
    if (c.dropout > 0) x = apply(tfl.layers.dropout({ rate: c.dropout, name: 'top_dropout' }), x);
    x = apply(tfl.layers.dense({ units: c.numClasses, activation: c.classifierActivation, kernelInitializer: denseInit(), name: 'predictions' }), x);
  } else if (c.pooling === 'avg') {
    x = apply(tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  } else if (c.pooling === 'max') {
    x = apply(tfl.layers.globalMaxPooling2d({ name: 'max_pool' }), x);
  }
  const model = tfl.model({ inputs: input, outputs: x, name: `efficientnet${c.variant}` });
  model.setUserDefinedMetadata({ kiln: { architecture: `efficientnet-${c.variant}`, stages: EFFICIENTNET_STAGES, headStages: ['head'] } });
  return model;
}

/**
 * Builds EfficientNet-B0…B7 with Keras' layer names and parameter counts
 * (`keras.applications.EfficientNetB*`): compound-scaled MBConv stages with squeeze-excite,
 * swish and stochastic depth. Inputs are raw pixels 0…255 (the stem rescales and normalizes).
 * @example
 * const model = buildEfficientNet({ variant: 'b0' }); // ImageNet top: 5,330,571 parameters
 * const small = buildEfficientNet({ variant: 'b0', inputShape: [64, 64, 3], numClasses: 7 });
 */
export function buildEfficientNet(options: EfficientNetOptions = {}): tfl.LayersModel {
  return buildEfficientNetFromConfig(resolveEfficientNetConfig(options));
}
