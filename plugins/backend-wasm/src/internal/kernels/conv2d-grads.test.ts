import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { on, randomValues, relError, setupBackends } from '../../test-utils/compare.js';

// Tolerance: max |wasm - cpu| / max |cpu| <= 1e-5 (float32, different summation orders).
const TOL = 1e-5;
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
const PADS: Pad[] = ['same', 'valid', [[0, 0], [1, 2], [2, 0], [0, 0]], 1];
const cases: { k: number; s: number; pad: Pad }[] = [];
for (const k of [1, 2, 3, 4, 5]) for (const s of [1, 2, 3]) for (const pad of PADS) cases.push({ k, s, pad });

beforeAll(setupBackends);

describe('Conv2DBackpropFilter / Conv2DBackpropInput on wasm match cpu', () => {
  it.each(cases)('kernel $k, stride $s, pad $pad', async ({ k, s, pad }) => {
    const xShape: [number, number, number, number] = [2, 9, 8, 3];
    const fShape: [number, number, number, number] = [k, k, 3, 4];
    const round = typeof pad === 'number' ? 'floor' : undefined;
    const info = tf.backend_util.computeConv2DInfo(xShape, fShape, s, 1, pad, round);
    const dyShape = info.outShape;
    const xv = randomValues(tf.util.sizeFromShape(xShape), 1 + k * 7 + s);
    const fv = randomValues(tf.util.sizeFromShape(fShape), 2 + k);
    const dyv = randomValues(tf.util.sizeFromShape(dyShape), 3 + s);
    const run = () => {
      const x = tf.tensor4d(xv, xShape), f = tf.tensor4d(fv, fShape), dy = tf.tensor4d(dyv, dyShape);
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: s, pad, dataFormat: 'NHWC', dimRoundingMode: round ?? null, filterShape: fShape } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { strides: s, pad, dataFormat: 'NHWC', dimRoundingMode: round ?? null, inputShape: xShape } as unknown as tf.NamedAttrMap) as tf.Tensor;
      return [dw, dx];
    };
    const [wasmDw, wasmDx] = await on('wasm', run);
    const [cpuDw, cpuDx] = await on('cpu', run);
    expect(relError(wasmDw, cpuDw)).toBeLessThanOrEqual(TOL);
    expect(relError(wasmDx, cpuDx)).toBeLessThanOrEqual(TOL);
  });

  it('conv2dTranspose (forward = Conv2DBackpropInput) matches cpu with stride 2, kernel 2 and 3', async () => {
    const xv = randomValues(2 * 5 * 6 * 4, 11);
    for (const k of [2, 3]) {
      const fv = randomValues(k * k * 3 * 4, 12 + k);
      const run = () => tf.conv2dTranspose(tf.tensor4d(xv, [2, 5, 6, 4]), tf.tensor4d(fv, [k, k, 3, 4]), [2, 10, 12, 3], 2, 'same');
      const [a] = await on('wasm', run);
      const [b] = await on('cpu', run);
      expect(relError(a, b)).toBeLessThanOrEqual(TOL);
    }
  });
});
