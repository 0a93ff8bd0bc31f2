import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, asTensor4D, assertNHWC, padOrCrop, spreadForInputGrad } from './util.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface FilterGradAttrs { strides: number | [number, number]; pad: Pad; dataFormat?: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] }
interface InputGradAttrs { strides: number | [number, number]; pad: Pad; dataFormat?: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number] }

/**
 * Conv2DBackpropFilter as one wasm Conv2D: x (padded) transposed to [Cin, H, W, N] convolved with
 * dy transposed to [OH, OW, N, Cout] at dilation = the forward stride, cropped to [KH, KW] and
 * transposed back to [KH, KW, Cin, Cout].
 */
export function conv2dBackpropFilter({ inputs, attrs }: KernelArgs): tf.Tensor {
  const a = attrs as unknown as FilterGradAttrs;
  assertNHWC('Conv2DBackpropFilter', a.dataFormat);
  return tf.tidy(() => {
    const x = asTensor4D(inputs['x']), dy = asTensor4D(inputs['dy']);
    const info = tf.backend_util.computeConv2DInfo(x.shape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
    const { padInfo, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const xp = padOrCrop(x, padInfo.top, padInfo.bottom, padInfo.left, padInfo.right);
    const xt = tf.transpose(xp, [3, 1, 2, 0]);
    const ft = tf.transpose(dy, [1, 2, 0, 3]);
    const r = tf.conv2d(xt, ft, 1, 'valid', 'NHWC', [sh, sw]);
    const cropped = r.shape[1] === kh && r.shape[2] === kw ? r : tf.slice(r, [0, 0, 0, 0], [-1, kh, kw, -1]);
    return tf.transpose(cropped, [1, 2, 0, 3]);
  });
}

/**
 * Conv2DBackpropInput (also conv2dTranspose's forward) as one wasm Conv2D: dy with zeros
 * inserted for the stride, padded by K-1-pad, convolved with the filter flipped spatially and
 * its in/out channels swapped.
 */
export function conv2dBackpropInput({ inputs, attrs }: KernelArgs): tf.Tensor {
  const a = attrs as unknown as InputGradAttrs;
  assertNHWC('Conv2DBackpropInput', a.dataFormat);
  return tf.tidy(() => {
    const dy = asTensor4D(inputs['dy']), filter = asTensor4D(inputs['filter']);
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape, a.strides, 1, a.pad, a.dimRoundingMode);
    const spread = spreadForInputGrad(dy, info);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    return tf.conv2d(spread, flipped, 1, 'valid');
  });
}
