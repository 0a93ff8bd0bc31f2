import * as tf from '@tensorflow/tfjs-core';
import { KilnError } from '@kiln/core-trainer';
import { WasmErrorCodes } from '../../errors.js';

/** A kernel's input as a Tensor. Inputs made by ops already are; a bare TensorInfo gets a tracked view (dispose it in a tidy). */
export function asTensor4D(info: tf.TensorInfo | undefined): tf.Tensor4D {
  if (!info) throw new Error('missing kernel input');
  return (info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info)) as tf.Tensor4D;
}

/** Pads (positive) or crops (negative) axes 1 and 2 of an NHWC tensor. */
export function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t = Math.max(0, -top), l = Math.max(0, -left);
    x = tf.slice(x, [0, t, l, 0], [n, h - t - Math.max(0, -bottom), w - l - Math.max(0, -right), c]);
  }
  const p: [number, number][] = [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]];
  return p[1][0] || p[1][1] || p[2][0] || p[2][1] ? tf.pad(x, p) : x;
}

/** Inserts `sh - 1` / `sw - 1` zeros after every row / column (the trailing zeros included). */
export function insertZeros(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape;
  const padded = tf.pad(tf.reshape(x, [n * h, 1, w, 1, c]), [[0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.reshape(padded, [n, h * sh, w * sw, c]);
}

/** Throws unless the data format is NHWC (the only one the Kiln wasm kernels implement). */
export function assertNHWC(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new KilnError(WasmErrorCodes.WASM_UNSUPPORTED_ATTR,
      `${kernel} on the wasm backend supports dataFormat 'NHWC' only (got '${dataFormat}'). Use channelsLast layers or 'backend: cpu'.`,
      { details: { kernel, dataFormat } });
  }
}

/**
 * Input-gradient of a stride-1-able convolution: dy with zeros inserted (stride), padded so a
 * stride-1 'valid' conv with the flipped filter gives exactly `inH × inW`.
 */
export function spreadForInputGrad(dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { strideHeight: sh, strideWidth: sw, effectiveFilterHeight: kh, effectiveFilterWidth: kw, inHeight, inWidth, padInfo } = info;
  const spread = insertZeros(dy, sh, sw);
  const top = kh - 1 - padInfo.top, left = kw - 1 - padInfo.left;
  const bottom = inHeight + kh - 1 - top - spread.shape[1];
  const right = inWidth + kw - 1 - left - spread.shape[2];
  return padOrCrop(spread, top, bottom, left, right);
}

/** What a tfjs kernel function receives. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];
