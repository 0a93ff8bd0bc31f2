import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../kernels.js';

async function on(backend: string, f: () => tf.Tensor): Promise<{ values: number[]; dtype: string }> {
  await tf.setBackend(backend);
  const t = f();
  const out = { values: Array.from(await t.data()), dtype: t.dtype };
  t.dispose();
  return out;
}

describe('OneHot on wasm', () => {
  beforeAll(async () => {
    await registerWasmTrainingKernels();
  });

  const cases: [string, () => tf.Tensor][] = [
    ['float32 0/1', () => tf.oneHot(tf.tensor1d([0, 2, 1, 3, -1, 5], 'int32'), 4, 1, 0, 'float32')],
    ['float32 smoothed 0.9/0.05', () => tf.oneHot(tf.tensor2d([[1, 0], [2, 2]], [2, 2], 'int32'), 3, 0.9, 0.05, 'float32')],
    ['int32 default', () => tf.oneHot(tf.tensor1d([1, 0, 2], 'int32'), 3)],
  ];
  it.each(cases)('%s equals the cpu backend exactly', async (_n, f) => {
    const cpu = await on('cpu', f);
    const wasm = await on('wasm', f);
    expect(wasm).toEqual(cpu);
  });
});
