import * as tf from '@tensorflow/tfjs-core';
import { heapF32, offsetOf, wasmBackend } from '../heap.js';
import { simdFor } from '../simd/index.js';
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
  if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && padInfo.top === 0 && padInfo.left === 0 && ih % 2 === 0 && iw % 2 === 0) {
    const simd = c % 4 === 0 ? simdFor(backend) : undefined;
    if (simd) simd.maxPool2x2Grad(offsetOf(backend, x), offsetOf(backend, dy), offsetOf(backend, out), nb, ih, iw, c);
    else pool2x2Grad(xs, dys, dx, nb, ih, iw, c);
    return out;
  }
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

/**
 * The common 2×2, stride 2, unpadded case: windows tile the input exactly, so every dx element is
 * written once (dy where it is its window's first maximum, else 0) and no zero-fill or search
 * arrays are needed. Same tie rule as above.
 */
function pool2x2Grad(xs: Float32Array, dys: Float32Array, dx: Float32Array, nb: number, ih: number, iw: number, c: number): void {
  const row = iw * c;
  let d = 0;
  for (let n = 0; n < nb; n++) {
    for (let r = 0; r < ih; r += 2) {
      const top = (n * ih + r) * row;
      for (let q = 0; q < iw; q += 2) {
        const p0 = top + q * c, p1 = p0 + c, p2 = p0 + row, p3 = p2 + c;
        for (let k = 0; k < c; k++, d++) {
          const v0 = xs[p0 + k]!, v1 = xs[p1 + k]!, v2 = xs[p2 + k]!, v3 = xs[p3 + k]!;
          // Index of the first maximum, exactly as the loop above: strict > from −∞, so NaN and
          // −∞ never win and an all-NaN window gets no gradient.
          let m = -Infinity, w = -1;
          if (v0 > m) { m = v0; w = 0; }
          if (v1 > m) { m = v1; w = 1; }
          if (v2 > m) { m = v2; w = 2; }
          if (v3 > m) w = 3;
          const g = dys[d]!;
          dx[p0 + k] = w === 0 ? g : 0;
          dx[p1 + k] = w === 1 ? g : 0;
          dx[p2 + k] = w === 2 ? g : 0;
          dx[p3 + k] = w === 3 ? g : 0;
        }
      }
    }
  }
}
