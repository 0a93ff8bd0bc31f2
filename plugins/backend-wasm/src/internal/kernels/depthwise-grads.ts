import * as tf from '@tensorflow/tfjs-core';
import { heapF32, wasmBackend } from '../heap.js';
import { type KernelArgs, asTensor4D, spreadForInputGrad } from './util.js';

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
 * DepthwiseConv2dNativeBackpropFilter in one pass over dy: for every output pixel and tap,
 * df[tap, c, m] += x[tap pixel, c] · dy[pixel, c·M + m] (float64 accumulators). Depthwise
 * gradients are memory-bound, so one streaming pass beats per-tap slices and reductions.
 */
export function depthwiseBackpropFilter({ inputs, attrs, backend: b }: KernelArgs): tf.TensorInfo {
  const a = attrs as unknown as DwAttrs & { filterShape: [number, number, number, number] };
  const backend = wasmBackend(b);
  const x = inputs['x']!, dy = inputs['dy']!;
  const [kh, kw, c, m] = a.filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
  const { batchSize: nb, inHeight: ih, inWidth: iw, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const out = backend.makeOutput(a.filterShape, 'float32');
  const xs = heapF32(backend, x), dys = heapF32(backend, dy), df = heapF32(backend, out);
  const cm = c * m;
  const acc = new Float64Array(kh * kw * cm);
  let dyOff = 0;
  for (let n = 0; n < nb; n++) {
    for (let r = 0; r < oh; r++) {
      for (let q = 0; q < ow; q++, dyOff += cm) {
        for (let i = 0; i < kh; i++) {
          const y = r * sh + i * dh - padInfo.top;
          if (y < 0 || y >= ih) continue;
          for (let j = 0; j < kw; j++) {
            const xx = q * sw + j * dw - padInfo.left;
            if (xx < 0 || xx >= iw) continue;
            const xOff = ((n * ih + y) * iw + xx) * c, t = (i * kw + j) * cm;
            if (m === 1) {
              for (let k = 0; k < c; k++) acc[t + k] += xs[xOff + k] * dys[dyOff + k];
            } else {
              for (let k = 0; k < c; k++) {
                const v = xs[xOff + k];
                for (let u = 0; u < m; u++) acc[t + k * m + u] += v * dys[dyOff + k * m + u];
              }
            }
          }
        }
      }
    }
  }
  df.set(acc);
  return out;
}
