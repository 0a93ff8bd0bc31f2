import * as tf from '@tensorflow/tfjs-core';
import { PluginHost, createRunContainer, isKilnError } from '@kiln/core-trainer';
import { describe, expect, it, vi } from 'vitest';
import plugin, { WASM_TRAINING_KERNELS, cpuBackend, registerWasmTrainingKernels, setWasmKernelSet, wasmBackend } from './index.js';

describe('backend-wasm plugin', () => {
  it('registers the wasm and cpu backends, wasm above cpu', async () => {
    const host = new PluginHost(createRunContainer());
    host.use(plugin);
    await host.setup();
    expect(host.registries.backends.names()).toEqual(['cpu', 'wasm']);
    expect(host.registries.backends.entry('wasm').plugin).toBe('backend-wasm');
    expect(wasmBackend.priority).toBeGreaterThan(cpuBackend.priority);
    expect(await wasmBackend.probe()).toMatchObject({ ok: true });
    expect(await cpuBackend.probe()).toMatchObject({ ok: true });
  });

  it('activate() selects wasm with every training kernel registered; registration is idempotent', async () => {
    const info = await wasmBackend.activate();
    expect(info).toMatchObject({ name: 'wasm', tfBackend: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    for (const k of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']) {
      expect(WASM_TRAINING_KERNELS).toContain(k);
      expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
    }
    const warn = vi.spyOn(console, 'warn');
    expect(await registerWasmTrainingKernels()).toEqual([]);
    await wasmBackend.activate();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('rejects bad options with KILN_WASM_OPTIONS_INVALID naming the field', async () => {
    await expect(wasmBackend.activate({ threads: 0 })).rejects.toSatisfy((e: unknown) => isKilnError(e, 'KILN_WASM_OPTIONS_INVALID') && /threads/.test((e as Error).message));
    await expect(wasmBackend.activate({ thread: 2 })).rejects.toSatisfy((e: unknown) => isKilnError(e, 'KILN_WASM_OPTIONS_INVALID'));
  });

  it('the cpu provider selects the pure-JS backend', async () => {
    expect(await cpuBackend.activate()).toMatchObject({ name: 'cpu', tfBackend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
  });
});

describe('setWasmKernelSet', () => {
  it('switches between the stock-plus-forwarding baseline and Kiln kernels, both computing the same gradient', async () => {
    await wasmBackend.activate();
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1), w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2);
    const grad = () => tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same')))(w);
    const kiln = tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc;
    await setWasmKernelSet('stock-with-cpu-forwarding');
    const forwarded = tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc;
    const a = await grad().data();
    await setWasmKernelSet('kiln');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc).toBe(kiln);
    expect(forwarded).not.toBe(kiln);
    const b = await grad().data();
    a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-4));
    tf.dispose([x, w]);
  });
});
