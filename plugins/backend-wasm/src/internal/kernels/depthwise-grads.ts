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
 * DepthwiseConv2dNativeBackpropFilter in JS: df[tap, c, m] = Σ x[tap pixel, c] · dy[pixel, c·M + m]
 * summed row by row (float64 across rows). Depthwise gradients are memory-bound, so this beats
 * per-tap slices + reductions and a depthwise-conv formulation on wasm.
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
  // Per (image, output row, tap): the valid output columns q ∈ [qLo, qHi) read one x row segment;
  // each (channel, multiplier) sums over q in a register, so acc is touched once per row.
  for (let n = 0; n < nb; n++) {
    for (let r = 0; r < oh; r++) {
      const dyRow = (n * oh + r) * ow * cm;
      for (let i = 0; i < kh; i++) {
        const y = r * sh + i * dh - padInfo.top;
        if (y < 0 || y >= ih) continue;
        const xRow = (n * ih + y) * iw * c;
        for (let j = 0; j < kw; j++) {
          const off = j * dw - padInfo.left;
          const qLo = Math.max(0, Math.ceil(-off / sw)), qHi = Math.min(ow, Math.floor((iw - 1 - off) / sw) + 1);
          if (qHi <= qLo) continue;
          const t = (i * kw + j) * cm, xStep = sw * c;
          for (let k = 0; k < c; k++) {
            for (let u = 0; u < m; u++) {
              let sum = 0;
              let xi = xRow + (qLo * sw + off) * c + k, gi = dyRow + qLo * cm + k * m + u;
              for (let q = qLo; q < qHi; q++, xi += xStep, gi += cm) sum += xs[xi] * dys[gi];
              acc[t + k * m + u] += sum;
            }
          }
        }
      }
    }
  }
  df.set(acc);
  return out;
}
