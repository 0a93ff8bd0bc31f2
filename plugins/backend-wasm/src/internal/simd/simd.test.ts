import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers'; // registers tfjs's gradient functions
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs build script without types
import { generate } from '../../../scripts/build-simd.mjs';
import { randomValues, relError, setupBackends } from '../../test-utils/compare.js';
import { wasmBackend } from '../heap.js';
import { setSimdKernels, simdFor } from './index.js';
import { KILN_SIMD_SHARED } from './kiln-simd.wasm.js';

const t = (shape: number[], seed: number) => tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), shape);

/** Values of `fn` on wasm with the SIMD kernels, on wasm without them, and on cpu. */
async function threeWays(fn: () => tf.Tensor[]): Promise<Float32Array[][]> {
  const run = async (backend: string, simd: boolean) => {
    await tf.setBackend(backend);
    setSimdKernels(simd);
    const before = tf.memory().numTensors;
    const out = tf.tidy(fn);
    const values = out.map((x) => new Float32Array(x.dataSync()));
    tf.dispose(out);
    expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
    return values;
  };
  return [await run('wasm', true), await run('wasm', false), await run('cpu', true)];
}

function expectClose(name: string, [simd, js, cpu]: Float32Array[][], tol = 1e-5): void {
  cpu!.forEach((ref, i) => {
    expect(relError(simd![i]!, ref), `${name} output ${i}, SIMD vs cpu`).toBeLessThanOrEqual(tol);
    expect(relError(js![i]!, ref), `${name} output ${i}, JS vs cpu`).toBeLessThanOrEqual(tol);
  });
}

/** One training step of a BN layer: [y, dx, dgamma, dbeta]. */
function bnStep(shape: number[], seed: number): tf.Tensor[] {
  const layer = tfl.layers.batchNormalization({ gammaInitializer: tfl.initializers.constant({ value: 1.5 }) });
  const x = tf.add(tf.mul(t(shape, seed), 3), 2);
  const w = t(shape, seed + 1);
  layer.build(shape);
  const f = (a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, { training: true }) as tf.Tensor, w)) as tf.Scalar;
  const y = layer.apply(x, { training: true }) as tf.Tensor;
  const [dx] = tf.grads(f)([x]);
  const vars = layer.trainableWeights.map((v) => (v as unknown as { read(): tf.Variable }).read());
  const { grads } = tf.variableGrads(() => f(x), vars);
  const out = [y, dx!, ...vars.map((v) => grads[v.name]!)];
  out.forEach((o) => tf.keep(o));
  layer.weights.forEach((v) => v.dispose());
  return out;
}

describe('Kiln SIMD kernels (kiln-simd.wat)', () => {
  beforeAll(setupBackends);
  afterEach(() => setSimdKernels(true));

  it('the committed module is what kiln-simd.wat compiles to (npm run build:simd -w @kiln/plugin-backend-wasm)', async () => {
    const committed = readFileSync(join(import.meta.dirname, 'kiln-simd.wasm.ts'), 'utf8');
    expect(committed).toBe(await generate());
  });

  it('loads on this tfjs-wasm memory, and the shared-memory build links to a shared memory', async () => {
    await tf.setBackend('wasm');
    expect(simdFor(wasmBackend())).toBeDefined();
    // The workspace compiles without the DOM lib, which declares WebAssembly.
    const wa = (globalThis as unknown as { WebAssembly: {
      Memory: new (d: object) => object; Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: object };
    } }).WebAssembly;
    const memory = new wa.Memory({ initial: 1, maximum: 16, shared: true });
    const bytes = Uint8Array.from(atob(KILN_SIMD_SHARED), (c) => c.charCodeAt(0));
    const exports = new wa.Instance(new wa.Module(bytes), { env: { memory } }).exports;
    expect(Object.keys(exports).sort()).toEqual(['channelAffine', 'channelSums', 'im2colTap', 'maxPool2x2Grad', 'reluGrad', 'transpose2d']);
  });

  it('training batch norm: channels a multiple of 4 (SIMD) and not (JS), partial row blocks, large mean', async () => {
    for (const [shape, seed] of [[[3, 5, 7, 8], 1], [[2, 3, 3, 20], 3], [[1, 1, 3, 4], 5], [[2, 4, 4, 6], 7]] as const) {
      expectClose(`bn ${shape}`, await threeWays(() => bnStep([...shape], seed)));
    }
  });

  it('max-pool gradient 2×2 stride 2: ties, NaN and −∞ windows, 4 and 8 channels', async () => {
    const special = [NaN, 1, NaN, NaN, -Infinity, -Infinity, 2, 2, 3, NaN, -Infinity, -Infinity, 0, -1, NaN, NaN];
    const cases: [string, () => tf.Tensor4D][] = [
      ['random c=8', () => t([2, 6, 4, 8], 11) as tf.Tensor4D],
      ['ties c=4', () => tf.ones([1, 4, 4, 4])],
      ['NaN / -Infinity c=4', () => tf.tensor4d([...special, ...special.map((v) => -v), ...special.slice().reverse(), ...special], [1, 4, 4, 4])],
    ];
    for (const [name, make] of cases) {
      expectClose(`maxpool grad ${name}`, await threeWays(() => {
        const x = make();
        return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), tf.reshape(tf.range(1, 1 + x.size / 4), [x.shape[0], x.shape[1] / 2, x.shape[2] / 2, x.shape[3]]))))(x)];
      }));
    }
  });

  it('ReLU gradient: sizes not a multiple of 4, zeros, negatives (NaN inputs give NaN, as dy·step(x))', async () => {
    for (const n of [1, 7, 64, 1001]) {
      expectClose(`relu grad n=${n}`, await threeWays(() => {
        const x = tf.where(tf.less(t([n], n), -0.8), tf.zerosLike(t([n], n)), t([n], n));
        return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), t([n], n + 1))))(x)];
      }));
    }
    await tf.setBackend('wasm');
    const g = tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(tf.relu(a)))(tf.tensor1d([NaN, 1, -1, 0, NaN])));
    expect(Array.from(g.dataSync())).toEqual([NaN, 1, 0, 0, NaN]);
    g.dispose();
  });

  it('im2col and the channel-major transpose (through the conv filter gradient): strides 1–3, same/valid padding, kernel sizes 1–5, channels and pixel counts that are and are not multiples of 4', async () => {
    for (const [k, s, pad, c] of [[3, 1, 'same', 3], [3, 2, 'same', 5], [5, 3, 'valid', 2], [1, 1, 'valid', 4], [4, 2, 'same', 3], [3, 1, 'same', 8], [2, 2, 'valid', 12]] as const) {
      expectClose(`conv filter grad k${k} s${s} ${pad} c${c}`, await threeWays(() => {
        const x = t([2, 11, 9, c], k + s) as tf.Tensor4D;
        const w = t([k, k, c, 6], 2 * k + s) as tf.Tensor4D;
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad))))([x, w]);
      }));
    }
  });
});
