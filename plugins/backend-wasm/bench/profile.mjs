// Per-kernel self time of training steps on wasm. Usage: node bench/profile.mjs [unet|mobilenet|cnn] [stock|kiln] [steps]
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeStep, mobilenet, smallCnn, unet } from './models.mjs';
import { setKernelSet } from './kernel-set.mjs';

const [which = 'unet', set = 'kiln', stepsArg = '3'] = process.argv.slice(2);
await setKernelSet(set);
const build = { unet, mobilenet, cnn: smallCnn }[which];
const batch = which === 'cnn' ? 32 : 8;
const m = build();
const { step } = makeStep(m, batch);
tf.dispose(step()); // warm up

const self = new Map();
let stack = [];
for (const { kernelName, kernelFunc } of tf.getKernelsForBackend('wasm')) {
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: (args) => {
    const t0 = performance.now();
    stack.push(0);
    try { return kernelFunc(args); } finally {
      const total = performance.now() - t0, child = stack.pop();
      if (stack.length) stack[stack.length - 1] += total;
      const e = self.get(kernelName) ?? { ms: 0, calls: 0 };
      e.ms += total - child; e.calls++; self.set(kernelName, e);
    }
  } });
}
const steps = Number(stepsArg);
const t0 = performance.now();
for (let i = 0; i < steps; i++) tf.dispose(step());
const wall = (performance.now() - t0) / steps;
const rows = [...self].map(([k, v]) => [k, v.ms / steps, v.calls / steps]).sort((a, b) => b[1] - a[1]);
const kernelMs = rows.reduce((s, r) => s + r[1], 0);
console.log(`${which} (${set}) batch ${batch}: ${wall.toFixed(0)} ms/step wall, ${kernelMs.toFixed(0)} ms in kernels, ${(batch * 1000 / wall).toFixed(2)} img/s`);
for (const [k, ms, calls] of rows.slice(0, 25)) console.log(`${k.padEnd(36)} ${ms.toFixed(1).padStart(8)} ms ${(100 * ms / wall).toFixed(1).padStart(5)}% ${String(calls).padStart(5)} calls`);
