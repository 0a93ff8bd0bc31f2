// Per-kernel self time of training steps on wasm. Usage: node bench/profile.mjs [unet|mobilenet|cnn] [stock|kiln] [steps]
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeStep, mobilenet, smallCnn, unet } from './models.mjs';
import { setWasmKernelSet, wasmBackend } from '../dist/index.js';

const [which = 'unet', set = 'kiln', stepsArg = '3'] = process.argv.slice(2);
await wasmBackend.activate();
await setWasmKernelSet(set === 'stock' ? 'stock-with-cpu-forwarding' : 'kiln');
const build = { unet, mobilenet, cnn: smallCnn }[which];
const batch = which === 'cnn' ? 32 : 8;
const m = build();
const { step } = makeStep(m, batch);
tf.dispose(step()); // warm up

// CPU time of this process (not wall time): other processes on a shared machine do not count.
const now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const self = new Map();
const detail = process.env.DETAIL;
const shapes = new Map();
let stack = [];
for (const { kernelName, kernelFunc } of tf.getKernelsForBackend('wasm')) {
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: (args) => {
    const t0 = now();
    stack.push(0);
    try { return kernelFunc(args); } finally {
      const total = now() - t0, child = stack.pop();
      if (stack.length) stack[stack.length - 1] += total;
      const e = self.get(kernelName) ?? { ms: 0, calls: 0, incl: 0 };
      e.ms += total - child; e.incl += total; e.calls++; self.set(kernelName, e);
      if (detail === kernelName) {
        const key = Object.values(args.inputs).map((t) => t?.shape.join('x')).join(' ') + ' ' + JSON.stringify(args.attrs ?? {}).slice(0, 80);
        const d = shapes.get(key) ?? { ms: 0, calls: 0 }; d.ms += total - child; d.calls++; shapes.set(key, d);
      }
    }
  } });
}
const steps = Number(stepsArg);
const t0 = now();
for (let i = 0; i < steps; i++) tf.dispose(step());
const wall = (now() - t0) / steps;
const rows = [...self].map(([k, v]) => [k, v.ms / steps, v.calls / steps, v.incl / steps]).sort((a, b) => b[1] - a[1]);
const kernelMs = rows.reduce((s, r) => s + r[1], 0);
console.log(`${which} (${set}) batch ${batch}: ${wall.toFixed(0)} ms/step (CPU time), ${kernelMs.toFixed(0)} ms in kernels, ${(batch * 1000 / wall).toFixed(2)} img/s`);
for (const [k, ms, calls, incl] of rows.slice(0, 25)) console.log(`${k.padEnd(36)} ${ms.toFixed(1).padStart(8)} ms ${(100 * ms / wall).toFixed(1).padStart(5)}% ${String(calls).padStart(5)} calls  (incl. nested ${incl.toFixed(1)} ms)`);
if (detail) for (const [k, v] of [...shapes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(`  ${(v.ms / steps).toFixed(1).padStart(7)} ms ${String(v.calls / steps).padStart(4)}x ${k}`);
