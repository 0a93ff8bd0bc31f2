import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { on, randomValues, relError, setupBackends } from '../../test-utils/compare.js';

// Tolerance: max |wasm - cpu| / max |cpu| <= 1e-5.
const TOL = 1e-5;
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Shape = [number, number, number, number];
const PADS: Pad[] = ['same', 'valid', [[0, 0], [2, 1], [0, 1], [0, 0]]];
const cases: { k: number; s: number; m: number; pad: Pad }[] = [];
for (const k of [1, 2, 3, 4, 5]) for (const s of [1, 2, 3]) for (const m of [1, 2]) for (const pad of PADS) cases.push({ k, s, m, pad });

beforeAll(setupBackends);

function grads(xShape: Shape, fShape: Shape, dyShape: Shape, s: number, d: number, pad: Pad, seed: number) {
  const xv = randomValues(tf.util.sizeFromShape(xShape), seed), fv = randomValues(tf.util.sizeFromShape(fShape), seed + 1);
  const dyv = randomValues(tf.util.sizeFromShape(dyShape), seed + 2);
  return () => {
    const x = tf.tensor4d(xv, xShape), f = tf.tensor4d(fv, fShape), dy = tf.tensor4d(dyv, dyShape);
    const attrs = { strides: s, dilations: d, pad };
    return [
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: fShape }) as tf.Tensor,
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, { ...attrs, inputShape: xShape }) as tf.Tensor,
    ];
  };
}

describe('DepthwiseConv2dNative gradients on wasm match cpu', () => {
  it.each(cases)('kernel $k, stride $s, multiplier $m, pad $pad', async ({ k, s, m, pad }) => {
    const xShape: Shape = [2, 9, 8, 3], fShape: Shape = [k, k, 3, m];
    const dyShape = tf.backend_util.computeConv2DInfo(xShape, fShape, s, 1, pad, undefined, true).outShape;
    const run = grads(xShape, fShape, dyShape, s, 1, pad, k * 10 + s + m);
    const [wDf, wDx] = await on('wasm', run);
    const [cDf, cDx] = await on('cpu', run);
    expect(relError(wDf, cDf)).toBeLessThanOrEqual(TOL);
    expect(relError(wDx, cDx)).toBeLessThanOrEqual(TOL);
  });

  // tfjs's cpu backprop kernels ignore `dilations`, so the reference is the cpu gradient of the
  // equivalent undilated filter (zeros between taps), sampled at the taps.
  it.each([{ k: 2, d: 2, m: 1, pad: 'same' as Pad }, { k: 3, d: 2, m: 2, pad: 'valid' as Pad }, { k: 3, d: 3, m: 1, pad: 'same' as Pad }])(
    'dilation $d, kernel $k, multiplier $m, pad $pad', async ({ k, d, m, pad }) => {
      const xShape: Shape = [2, 11, 10, 3], fShape: Shape = [k, k, 3, m];
      const ke = (k - 1) * d + 1, bigShape: Shape = [ke, ke, 3, m];
      const dyShape = tf.backend_util.computeConv2DInfo(xShape, fShape, 1, d, pad, undefined, true).outShape;
      const [wDf, wDx] = await on('wasm', grads(xShape, fShape, dyShape, 1, d, pad, 5));
      const xv = randomValues(tf.util.sizeFromShape(xShape), 5), fv = randomValues(tf.util.sizeFromShape(fShape), 6);
      const dyv = randomValues(tf.util.sizeFromShape(dyShape), 7);
      const [cDf, cDx] = await on('cpu', () => {
        const x = tf.tensor4d(xv, xShape), dy = tf.tensor4d(dyv, dyShape);
        const dilatedF = tf.reshape(tf.pad(tf.reshape(tf.tensor4d(fv, fShape), [k, 1, k, 1, 3 * m]), [[0, 0], [0, d - 1], [0, 0], [0, d - 1], [0, 0]]), [k * d, k * d, 3, m]);
        const bigF = tf.slice(dilatedF, [0, 0, 0, 0], bigShape);
        const bigDf = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, dilations: 1, pad, filterShape: bigShape }) as tf.Tensor4D;
        const df = tf.stridedSlice(bigDf, [0, 0, 0, 0], bigShape, [d, d, 1, 1]);
        const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: bigF }, { strides: 1, dilations: 1, pad, inputShape: xShape }) as tf.Tensor;
        return [df, dx];
      });
      expect(relError(wDf, cDf)).toBeLessThanOrEqual(TOL);
      expect(relError(wDx, cDx)).toBeLessThanOrEqual(TOL);
    });
});
