import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, asTensor4D, padOrCrop, spreadForInputGrad } from './util.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface DwAttrs { strides: number | [number, number]; dilations: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil' }

/**
 * DepthwiseConv2dNativeBackpropInput as one wasm depthwise conv over C·M channels (dy spread for
 * the stride, filter flipped and reshaped to [KH, KW, C·M, 1]) followed by a sum over the
 * multiplier when M > 1.
 */
export function depthwiseBackpropInput({ inputs, attrs }: KernelArgs): tf.Tensor {
  const a = attrs as unknown as DwAttrs & { inputShape: [number, number, number, number] };
  return tf.tidy(() => {
    const dy = asTensor4D(inputs['dy']), filter = asTensor4D(inputs['filter']);
    const [kh, kw, c, m] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
    const spread = spreadForInputGrad(dy, info);
    const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, c * m, 1]) as tf.Tensor4D;
    const r = tf.depthwiseConv2d(spread, flipped, 1, 'valid', 'NHWC', [info.dilationHeight, info.dilationWidth]);
    if (m === 1) return r;
    const [n, h, w] = r.shape;
    return tf.sum(tf.reshape(r, [n, h, w, c, m]), -1);
  });
}

/**
 * DepthwiseConv2dNativeBackpropFilter over the KH×KW taps: each tap is a strided slice of the
 * padded input times dy, reduced over (N, OH, OW) by a matmul with ones.
 */
export function depthwiseBackpropFilter({ inputs, attrs }: KernelArgs): tf.Tensor {
  const a = attrs as unknown as DwAttrs & { filterShape: [number, number, number, number] };
  return tf.tidy(() => {
    const x = asTensor4D(inputs['x']), dy = asTensor4D(inputs['dy']);
    const [kh, kw, c, m] = a.filterShape;
    const info = tf.backend_util.computeConv2DInfo(x.shape, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
    const { padInfo, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, outHeight: oh, outWidth: ow } = info;
    const xp = padOrCrop(x, padInfo.top, padInfo.bottom, padInfo.left, padInfo.right);
    const n = x.shape[0], p = n * oh * ow;
    const dy3 = tf.reshape(dy, [p, c, m]);
    const ones = tf.ones([1, p]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const xs = tf.stridedSlice(xp, [0, i * dh, j * dw, 0], [n, i * dh + (oh - 1) * sh + 1, j * dw + (ow - 1) * sw + 1, c], [1, sh, sw, 1]);
        const prod = tf.mul(tf.reshape(xs, [p, c, 1]), dy3);
        taps.push(tf.matMul(ones, tf.reshape(prod, [p, c * m])));
      }
    }
    return tf.reshape(tf.concat(taps, 0), [kh, kw, c, m]);
  });
}
