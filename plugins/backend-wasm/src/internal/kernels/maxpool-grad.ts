import * as tf from '@tensorflow/tfjs-core';
import { heapF32, wasmBackend } from '../heap.js';
import type { KernelArgs } from './util.js';

/**
 * MaxPoolGrad in one pass over dy: each window's argmax (first maximum in row-major window
 * order, as the cpu backend picks it) is found per channel and receives dy.
 */
export function maxPoolGrad({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(b);
  const x = inputs['input']!, dy = inputs['dy']!;
  const a = attrs as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { batchSize: nb, inHeight: ih, inWidth: iw, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw,
    filterHeight: fh, filterWidth: fw, padInfo } = info;
  const out = backend.makeOutput(x.shape, 'float32');
  const xs = heapF32(backend, x), dys = heapF32(backend, dy), dx = heapF32(backend, out);
  dx.fill(0);
  const best = new Float32Array(c), arg = new Int32Array(c);
  let dyOff = 0;
  for (let n = 0; n < nb; n++) {
    for (let r = 0; r < oh; r++) {
      const h0 = r * sh - padInfo.top;
      for (let q = 0; q < ow; q++, dyOff += c) {
        const w0 = q * sw - padInfo.left;
        best.fill(-Infinity);
        arg.fill(-1);
        for (let i = Math.max(0, -h0); i < fh && h0 + i < ih; i++) {
          for (let j = Math.max(0, -w0); j < fw && w0 + j < iw; j++) {
            const base = ((n * ih + h0 + i) * iw + w0 + j) * c;
            for (let k = 0; k < c; k++) {
              const v = xs[base + k];
              if (v > best[k]) { best[k] = v; arg[k] = base + k; }
            }
          }
        }
        for (let k = 0; k < c; k++) if (arg[k] >= 0) dx[arg[k]] += dys[dyOff + k];
      }
    }
  }
  return out;
}
