import * as tf from '@tensorflow/tfjs-core';
import { heapF32, offsetOf, wasmBackend, wrap } from '../heap.js';
import { im2colT, phaseFilters } from './layout.js';
import { simdFor } from '../simd/index.js';
import { type KernelArgs, asTensor4D, assertNHWC, padOrCrop } from './util.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface GradAttrs { strides: number | [number, number]; pad: Pad; dataFormat?: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil' }

/** Above this many bytes the im2col matrix is built and multiplied a few taps at a time. */
const IM2COL_BYTES = 64 * 1024 * 1024;

/**
 * Conv2DBackpropFilter as fast 2-D matmuls: dW[(kh, kw, ci), co] = colsᵀ · dy, where colsᵀ
 * [KH·KW·Cin, N·OH·OW] is the transposed im2col matrix gathered from x laid out channels-first
 * (zeros for padding) and dy is [N·OH·OW, Cout] as it is. Big layers go a few taps at a time.
 */
export function conv2dBackpropFilter({ inputs, attrs }: KernelArgs): tf.Tensor {
  const a = attrs as unknown as GradAttrs & { filterShape: [number, number, number, number] };
  assertNHWC('Conv2DBackpropFilter', a.dataFormat);
  return tf.tidy(() => {
    const x = asTensor4D(inputs['x']), dy = asTensor4D(inputs['dy']);
    const info = tf.backend_util.computeConv2DInfo(x.shape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, inChannels: cin, outChannels: cout, padInfo } = info;
    const xT = channelMajor(x);
    const dy2 = tf.reshape(dy, [-1, cout]);
    const taps: [number, number][] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push([i, j]);
    const perTap = cin * dy2.shape[0] * 4;
    const chunk = Math.max(1, Math.min(taps.length, Math.floor(IM2COL_BYTES / perTap)));
    const geometry = { oh, ow, sh, sw, padTop: padInfo.top, padLeft: padInfo.left };
    const parts: tf.Tensor2D[] = [];
    for (let t = 0; t < taps.length; t += chunk) {
      const cols = im2colT(xT, taps.slice(t, t + chunk), geometry);
      parts.push(tf.matMul(cols, dy2));
      cols.dispose();
    }
    return tf.reshape(parts.length === 1 ? parts[0] : tf.concat(parts, 0), [kh, kw, cin, cout]);
  });
}

/** One output phase (rows ≡ rh, columns ≡ rw modulo the stride) of a transposed convolution. */
interface Phase { rh: number; rw: number; h0: number; w0: number; nh: number; nw: number; th: number; tw: number; top: number; left: number }

function phasesOf(info: tf.backend_util.Conv2DInfo): Phase[] {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w, padInfo } = info;
  const axis = (r: number, s: number, k: number, size: number, pad: number) => {
    const start = (((r - pad) % s) + s) % s;
    const count = Math.max(0, Math.ceil((size - start) / s));
    const taps = Math.max(0, Math.ceil((k - r) / s));
    return { start, count, taps, lead: taps - 1 - (start + pad - r) / s };
  };
  const out: Phase[] = [];
  for (let rh = 0; rh < sh; rh++) {
    for (let rw = 0; rw < sw; rw++) {
      const y = axis(rh, sh, kh, h, padInfo.top), x = axis(rw, sw, kw, w, padInfo.left);
      out.push({ rh, rw, h0: y.start, w0: x.start, nh: y.count, nw: x.count, th: y.taps, tw: x.taps, top: y.lead, left: x.lead });
    }
  }
  return out;
}

/**
 * Conv2DBackpropInput (and conv2dTranspose's forward) by sub-pixel phases: the output rows and
 * columns of each stride phase are a stride-1 convolution of dy with a flipped sub-filter, so no
 * zeros are inserted. Phases with the same geometry share one convolution (their sub-filters
 * stacked on output channels), e.g. a 2×2 stride-2 transposed conv is one 1×1 conv; a JS pass
 * interleaves the phases into dx.
 */
export function conv2dBackpropInput({ inputs, attrs }: KernelArgs): tf.Tensor {
  const a = attrs as unknown as GradAttrs & { inputShape: [number, number, number, number] };
  assertNHWC('Conv2DBackpropInput', a.dataFormat);
  const dy = asTensor4D(inputs['dy']), filter = asTensor4D(inputs['filter']);
  const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape, a.strides, 1, a.pad, a.dimRoundingMode);
  return transposedConv(dy, filter, info);
}

/** Shared by Conv2DBackpropInput: dx [N, H, W, Cin] from dy and W [KH, KW, Cin, Cout]. */
export function transposedConv(dy: tf.Tensor4D, filter: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, strideHeight: sh, strideWidth: sw } = info;
  const [, oh, ow] = dy.shape;
  const phases = phasesOf(info);
  const groups = new Map<string, Phase[]>();
  for (const p of phases) {
    if (p.nh === 0 || p.nw === 0 || p.th === 0 || p.tw === 0) continue;
    const key = [p.th, p.tw, p.top, p.left, p.nh, p.nw].join();
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const results = tf.tidy(() => [...groups.values()].map((g) => {
    const { th, tw, top, left, nh, nw } = g[0];
    const bottom = nh + th - 1 - top - oh, right = nw + tw - 1 - left - ow;
    const filters = phaseFilters(filter, g, th, tw, sh, sw);
    if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) {
      // XNNPACK pads implicitly: no padded copy of dy.
      return tf.conv2d(dy, filters, 1, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    }
    return tf.conv2d(padOrCrop(dy, top, bottom, left, right), filters, 1, 'valid');
  }));
  if (sh === 1 && sw === 1 && results.length === 1) return results[0] as tf.Tensor4D;
  const backend = wasmBackend();
  const out = backend.makeOutput([n, h, w, cin], 'float32');
  const dx = heapF32(backend, out);
  if (phases.some((p) => p.th === 0 || p.tw === 0)) dx.fill(0);
  [...groups.values()].forEach((g, gi) => {
    const src = heapF32(backend, results[gi]);
    const { nh, nw } = g[0], gc = g.length * cin;
    g.forEach((p, pi) => {
      for (let b = 0; b < n; b++) {
        for (let i = 0; i < nh; i++) {
          let s = ((b * nh + i) * nw) * gc + pi * cin;
          let d = ((b * h + p.h0 + i * sh) * w + p.w0) * cin;
          for (let j = 0; j < nw; j++, s += gc, d += sw * cin) dx.set(src.subarray(s, s + cin), d);
        }
      }
    });
  });
  tf.dispose(results);
  return wrap<tf.Rank.R4>(out);
}

/** NHWC → [C, N, H, W]: Kiln's SIMD transpose where it loads (tfjs-wasm's is ~7 ns per element), else tf.transpose. */
function channelMajor(x: tf.Tensor4D): tf.Tensor4D {
  const backend = wasmBackend();
  const simd = simdFor(backend);
  if (!simd || x.dtype !== 'float32') return tf.transpose(x, [3, 0, 1, 2]);
  const [n, h, w, c] = x.shape;
  const out = backend.makeOutput([c, n, h, w], 'float32');
  simd.transpose2d(offsetOf(backend, x), offsetOf(backend, out), n * h * w, c);
  return wrap<tf.Rank.R4>(out);
}
