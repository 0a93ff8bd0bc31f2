import * as tfl from '@tensorflow/tfjs-layers';

type SymbolicTensor = tfl.SymbolicTensor;
type Initializer = ReturnType<typeof tfl.initializers.varianceScaling>;

/** Keras' CONV_KERNEL_INITIALIZER / DENSE_KERNEL_INITIALIZER of keras.applications.efficientnet. */
export const convInit = (): Initializer =>
  tfl.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'truncatedNormal' });
export const denseInit = (): Initializer =>
  tfl.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanOut', distribution: 'uniform' });

/** Keras' imagenet_utils.correct_pad: asymmetric zero padding for a stride-2 'valid' conv. */
export function correctPad(x: SymbolicTensor, kernel: number): [[number, number], [number, number]] {
  const [h, w] = [x.shape[1], x.shape[2]];
  const adjust = h == null || w == null ? [1, 1] : [1 - (h % 2), 1 - (w % 2)];
  const c = Math.floor(kernel / 2);
  return [[c - adjust[0]!, c], [c - adjust[1]!, c]];
}

export interface MbConvArgs {
  readonly name: string;
  readonly filtersIn: number;
  readonly filtersOut: number;
  readonly kernel: number;
  readonly strides: number;
  readonly expand: number;
  readonly seRatio: number;
  /** Stochastic-depth rate of this block's residual branch. */
  readonly dropRate: number;
}

const apply = (layer: tfl.layers.Layer, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => layer.apply(x) as SymbolicTensor;

/**
 * One inverted-residual (MBConv) block as in keras.applications.efficientnet.block: 1×1 expansion,
 * depthwise conv, squeeze-excite, 1×1 projection, and a residual add with per-sample dropout
 * (stochastic depth, noise shape [N,1,1,1]) when stride is 1 and filters are unchanged.
 */
export function mbConv(inputs: SymbolicTensor, a: MbConvArgs): SymbolicTensor {
  const n = a.name;
  const filters = a.filtersIn * a.expand;
  let x = inputs;
  if (a.expand !== 1) {
    x = apply(tfl.layers.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: convInit(), name: `${n}expand_conv` }), x);
    x = apply(tfl.layers.batchNormalization({ axis: -1, name: `${n}expand_bn` }), x);
    x = apply(tfl.layers.activation({ activation: 'swish', name: `${n}expand_activation` }), x);
  }
  let padding: 'same' | 'valid' = 'same';
  if (a.strides === 2) {
    x = apply(tfl.layers.zeroPadding2d({ padding: correctPad(x, a.kernel), name: `${n}dwconv_pad` }), x);
    padding = 'valid';
  }
  x = apply(tfl.layers.depthwiseConv2d({
    kernelSize: a.kernel, strides: a.strides, padding, useBias: false, depthwiseInitializer: convInit(), name: `${n}dwconv`,
  }), x);
  x = apply(tfl.layers.batchNormalization({ axis: -1, name: `${n}bn` }), x);
  x = apply(tfl.layers.activation({ activation: 'swish', name: `${n}activation` }), x);
  if (a.seRatio > 0 && a.seRatio <= 1) {
    const filtersSe = Math.max(1, Math.floor(a.filtersIn * a.seRatio));
    let se = apply(tfl.layers.globalAveragePooling2d({ name: `${n}se_squeeze` }), x);
    se = apply(tfl.layers.reshape({ targetShape: [1, 1, filters], name: `${n}se_reshape` }), se);
    se = apply(tfl.layers.conv2d({ filters: filtersSe, kernelSize: 1, padding: 'same', activation: 'swish', kernelInitializer: convInit(), name: `${n}se_reduce` }), se);
    se = apply(tfl.layers.conv2d({ filters, kernelSize: 1, padding: 'same', activation: 'sigmoid', kernelInitializer: convInit(), name: `${n}se_expand` }), se);
    x = apply(tfl.layers.multiply({ name: `${n}se_excite` }), [x, se]);
  }
  x = apply(tfl.layers.conv2d({ filters: a.filtersOut, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: convInit(), name: `${n}project_conv` }), x);
  x = apply(tfl.layers.batchNormalization({ axis: -1, name: `${n}project_bn` }), x);
  if (a.strides === 1 && a.filtersIn === a.filtersOut) {
    if (a.dropRate > 0) x = apply(tfl.layers.dropout({ rate: a.dropRate, noiseShape: [null, 1, 1, 1] as unknown as number[], name: `${n}drop` }), x);
    x = apply(tfl.layers.add({ name: `${n}add` }), [x, inputs]);
  }
  return x;
}
