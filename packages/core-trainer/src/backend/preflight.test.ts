import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers tfjs's gradient functions
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKilnError } from '../errors.js';
import { formatKernelTable, kernelTable } from './kernel-table.js';
import { preflight, traceKernels } from './preflight.js';

// A real second backend: the cpu implementation with two kernels left out.
const PARTIAL = 'kiln-test-partial';
const LEFT_OUT = ['Conv2DBackpropFilter', 'Max'];

beforeAll(async () => {
  tf.registerBackend(PARTIAL, () => new MathBackendCPU(), -1);
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (!LEFT_OUT.includes(k.kernelName)) tf.registerKernel({ ...k, backendName: PARTIAL });
  }
  await tf.setBackend('cpu');
});
afterAll(() => tf.removeBackend(PARTIAL));

const w = tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 1) as tf.Tensor4D);
const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
/** One step: conv gradient (needs Conv2DBackpropFilter) and a max (needs Max). */
const step = () => tf.tidy(() => {
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.conv2d(x, w, 1, 'same')) as tf.Scalar);
  return tf.add(value, tf.max(grads[w.name]!));
});

describe('traceKernels / preflight', () => {
  it('lists the kernels a step uses and passes on a backend that has them all', async () => {
    const before = tf.memory().numTensors;
    const report = await preflight(step, 'cpu');
    expect(report.kernels).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropFilter', 'Max', 'Sum']));
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('finds every missing kernel in one trace, restoring the registry and the active backend', async () => {
    const trace = await traceKernels(step, PARTIAL);
    expect(trace.missing).toEqual(['Conv2DBackpropFilter', 'Max']);
    expect(trace.kernels).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropFilter', 'Max']));
    expect(tf.getKernel('Max', PARTIAL)).toBeUndefined();
    expect(tf.getBackend()).toBe('cpu');
  });

  it('throws KILN_BACKEND_MISSING_KERNEL naming each kernel and the backends that have it', async () => {
    const err = await preflight(step, PARTIAL).then(() => null, (e: unknown) => e);
    expect(isKilnError(err, 'KILN_BACKEND_MISSING_KERNEL')).toBe(true);
    const e = err as Error & { details: { missing: { kernel: string; backends: string[] }[] } };
    expect(e.message).toMatch(/Conv2DBackpropFilter: registered for .*cpu/);
    expect(e.message).toMatch(/Max: registered for .*cpu/);
    expect(e.message).toMatch(/backend: .*cpu/);
    expect(e.details.missing.map((m) => m.kernel)).toEqual(['Conv2DBackpropFilter', 'Max']);
  });

  it('checks a list of kernel names without running anything', async () => {
    await expect(preflight(['Conv2D', 'Add'], PARTIAL)).resolves.toMatchObject({ kernels: ['Add', 'Conv2D'] });
    await expect(preflight(['NoSuchKernel'], 'cpu')).rejects.toThrow(/NoSuchKernel: registered for no backend/);
  });
});

describe('kernelTable', () => {
  it('shows which backend registers which kernel, and only the gaps on request', () => {
    const table = kernelTable({ kernels: ['Max', 'Conv2D'], backends: ['cpu', PARTIAL] });
    expect(table.rows).toEqual([
      { kernel: 'Conv2D', available: { cpu: true, [PARTIAL]: true } },
      { kernel: 'Max', available: { cpu: true, [PARTIAL]: false } },
    ]);
    const text = formatKernelTable(table, { gapsOnly: true });
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toMatch(/^Max\s+✓\s+-/m);
    expect(kernelTable().rows.length).toBeGreaterThan(100);
  });
});
