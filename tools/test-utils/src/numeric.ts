import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** A tensor as the reference generators write it (tools/scripts/reference/*). */
export interface FixtureTensor { shape: number[]; dtype: 'float32' | 'int32'; data: number[] }

/** Parses a JSON fixture, e.g. `readFixtureJson(new URL('./fixtures/ce.json', import.meta.url))`. */
export function readFixtureJson<T>(url: URL): T {
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

export function toTensor(t: FixtureTensor): tf.Tensor {
  return tf.tensor(t.data, t.shape, t.dtype);
}

/** Agreement within `rel` relative (default 1e-5), with an `abs` floor (default 1e-6) for values near zero. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-5, abs = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.abs(expected[i]) + abs;
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      expect.fail(`element ${i}: got ${actual[i]}, expected ${expected[i]} (tolerance ${tol})`);
    }
  }
}
