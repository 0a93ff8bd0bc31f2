import type * as tf from '@tensorflow/tfjs-core';
import { heapF32, heapSpan, offsetOf, wasmBackend, wrap } from '../heap.js';
import { simdFor } from '../simd/index.js';

/** Geometry of a convolution's taps for `im2colT`. */
export interface TapGeometry { oh: number; ow: number; sh: number; sw: number; padTop: number; padLeft: number }

/**
 * Rows of the transposed im2col matrix for the taps `taps` (kh, kw pairs): out[(t, ci), (n, r, q)] =
 * xT[ci, n, r·sh + kh − padTop, q·sw + kw − padLeft] (0 outside the image), xT = [C, N, H, W].
 * Runs are moved with copyWithin inside the heap (no allocation per row).
 */
export function im2colT(xT: tf.Tensor4D, taps: readonly (readonly [number, number])[], g: TapGeometry): tf.Tensor2D {
  const backend = wasmBackend();
  const [c, n, h, w] = xT.shape;
  const { oh, ow, sh, sw, padTop, padLeft } = g;
  const info = backend.makeOutput([taps.length * c, n * oh * ow], 'float32');
  const simd = simdFor(backend);
  if (simd) {
    const src = offsetOf(backend, xT), tapBytes = c * n * oh * ow * 4;
    let dst = offsetOf(backend, info);
    for (const [kh, kw] of taps) {
      const qLo = Math.max(0, Math.ceil((padLeft - kw) / sw)), qHi = Math.min(ow, Math.floor((w - 1 + padLeft - kw) / sw) + 1);
      simd.im2colTap(src, dst, c * n, h, w, oh, ow, sh, sw, kh - padTop, kw - padLeft, qLo, qHi);
      dst += tapBytes;
    }
    return wrap<tf.Rank.R2>(info);
  }
  const src = heapSpan(backend, xT), dst = heapSpan(backend, info);
  const heapAll = dst.all;
  let d = dst.at;
  for (const [kh, kw] of taps) {
    const qLo = Math.max(0, Math.ceil((padLeft - kw) / sw)), qHi = Math.min(ow, Math.floor((w - 1 + padLeft - kw) / sw) + 1);
    for (let ch = 0; ch < c; ch++) {
      for (let b = 0; b < n; b++) {
        const plane = src.at + (ch * n + b) * h * w;
        for (let r = 0; r < oh; r++, d += ow) {
          const ih = r * sh + kh - padTop;
          if (ih < 0 || ih >= h || qHi <= qLo) { heapAll.fill(0, d, d + ow); continue; }
          if (qLo > 0) heapAll.fill(0, d, d + qLo);
          if (qHi < ow) heapAll.fill(0, d + qHi, d + ow);
          const row = plane + ih * w + kw - padLeft;
          if (sw === 1 && qHi - qLo >= 16) heapAll.copyWithin(d + qLo, row + qLo, row + qHi);
          else for (let q = qLo; q < qHi; q++) heapAll[d + q] = heapAll[row + q * sw];
        }
      }
    }
  }
  return wrap<tf.Rank.R2>(info);
}

/**
 * Sub-filters of a transposed convolution, flipped and with in/out channels swapped, stacked
 * along output channels: out[a, b, co, g·Cin + ci] = W[rh_g + (th−1−a)·sh, rw_g + (tw−1−b)·sw, ci, co].
 */
export function phaseFilters(w: tf.Tensor4D, phases: readonly { rh: number; rw: number }[], th: number, tw: number, sh: number, sw: number): tf.Tensor4D {
  const backend = wasmBackend();
  const [kh, kw, cin, cout] = w.shape;
  const g = phases.length;
  const info = backend.makeOutput([th, tw, cout, g * cin], 'float32');
  const src = heapF32(backend, w), dst = heapF32(backend, info);
  for (let a = 0; a < th; a++) {
    for (let b = 0; b < tw; b++) {
      for (let p = 0; p < g; p++) {
        const i = phases[p].rh + (th - 1 - a) * sh, j = phases[p].rw + (tw - 1 - b) * sw;
        for (let ci = 0; ci < cin; ci++) {
          const s = ((i * kw + j) * cin + ci) * cout;
          let d = ((a * tw + b) * cout) * g * cin + p * cin + ci;
          for (let co = 0; co < cout; co++, d += g * cin) dst[d] = i < kh && j < kw ? src[s + co] : 0;
        }
      }
    }
  }
  return wrap<tf.Rank.R4>(info);
}
