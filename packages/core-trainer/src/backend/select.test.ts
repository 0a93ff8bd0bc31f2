import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import type { BackendProvider } from '../contracts/backend.js';
import { KilnError, isKilnError } from '../errors.js';
import { describeChoice, selectBackend } from './select.js';

// Small real providers: 'cpu' really activates tfjs-backend-cpu; the others fail the way real ones do.
const cpu: BackendProvider = {
  name: 'cpu', priority: 10, description: 'pure JS',
  probe: async () => ({ ok: true }),
  activate: async () => { await tf.setBackend('cpu'); return { name: 'cpu', tfBackend: tf.getBackend(), device: 'CPU' }; },
};
const noCuda: BackendProvider = {
  name: 'native-gpu', priority: 40, description: 'CUDA',
  probe: async () => ({ ok: false, reason: 'libcudart.so.12 not found', fix: 'install CUDA 12 and cuDNN 9' }),
  activate: async () => { throw new Error('unreachable'); },
};
const badBinding: BackendProvider = {
  name: 'native', priority: 30, description: 'libtensorflow',
  probe: async () => ({ ok: true }),
  activate: async () => { throw new KilnError('KILN_NATIVE_BINDING', 'tfjs_binding.node was built for another Node ABI'); },
};

describe('selectBackend', () => {
  it("'auto' takes the highest-priority backend that loads and says why each one above it was skipped", async () => {
    const choice = await selectBackend([cpu, badBinding, noCuda], 'auto');
    expect(choice.info).toMatchObject({ name: 'cpu', tfBackend: 'cpu' });
    expect(choice.skipped).toEqual([
      { name: 'native-gpu', priority: 40, stage: 'probe', reason: 'libcudart.so.12 not found', fix: 'install CUDA 12 and cuDNN 9' },
      { name: 'native', priority: 30, stage: 'activate', reason: 'tfjs_binding.node was built for another Node ABI', code: 'KILN_NATIVE_BINDING' },
    ]);
    expect(describeChoice(choice)).toMatch(/^backend: cpu \(CPU\); skipped native-gpu: libcudart.*fix: install CUDA 12.*; native: tfjs_binding/);
  });

  it("'auto' skips a backend whose check (e.g. kernel preflight) fails and passes activation options by name", async () => {
    const seen: unknown[] = [];
    const picky: BackendProvider = { ...cpu, name: 'picky', priority: 50, activate: async (o) => { seen.push(o); return cpu.activate(); } };
    const choice = await selectBackend([cpu, picky], 'auto', {
      options: { picky: { threads: 2 } },
      check: (info, p) => { if (p.name === 'picky') throw new KilnError('KILN_BACKEND_MISSING_KERNEL', 'lacks Conv2DBackpropFilter'); },
    });
    expect(seen).toEqual([{ threads: 2 }]);
    expect(choice.provider.name).toBe('cpu');
    expect(choice.skipped).toEqual([expect.objectContaining({ name: 'picky', stage: 'check', code: 'KILN_BACKEND_MISSING_KERNEL' })]);
  });

  it('an explicit backend that cannot load throws KILN_BACKEND_UNAVAILABLE with its reason and fix', async () => {
    await expect(selectBackend([cpu, noCuda], 'native-gpu')).rejects.toSatisfy((e: unknown) =>
      isKilnError(e, 'KILN_BACKEND_UNAVAILABLE') && /libcudart\.so\.12 not found.*Fix: install CUDA 12/.test((e as Error).message));
    await expect(selectBackend([badBinding], 'native')).rejects.toThrow(/'native' cannot be used here: tfjs_binding\.node/);
    await expect(selectBackend([cpu], 'cpu')).resolves.toMatchObject({ skipped: [] });
  });

  it('names the available backends for an unknown name and lists every reason when nothing loads', async () => {
    await expect(selectBackend([cpu, noCuda], 'tpu')).rejects.toSatisfy((e: unknown) =>
      isKilnError(e, 'KILN_BACKEND_UNKNOWN') && /Unknown backend 'tpu'\. Available: auto, cpu, native-gpu\./.test((e as Error).message));
    await expect(selectBackend([noCuda, badBinding], 'auto')).rejects.toSatisfy((e: unknown) =>
      isKilnError(e, 'KILN_BACKEND_UNAVAILABLE') && /native-gpu: libcudart/.test((e as Error).message) && /native: tfjs_binding/.test((e as Error).message));
    await expect(selectBackend([], 'auto')).rejects.toThrow(/No backend is registered/);
  });
});
