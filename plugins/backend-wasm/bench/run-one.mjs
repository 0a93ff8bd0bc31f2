// One benchmark measurement in its own process (the wasm thread count is fixed per process).
// Usage: node bench/run-one.mjs <unet|mobilenet|cnn> <baseline|kiln> <threads> <steps> [warmup=1]
// Prints one JSON line: { model, config, threads, batch, wallMsPerStep, cpuMsPerStep, imgPerSec, tensorsLeaked }.
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmKernelSet, wasmBackend } from '../dist/index.js';
import { makeStep, mobilenet, smallCnn, unet } from './models.mjs';

const [model = 'unet', config = 'kiln', threadsArg = '1', stepsArg = '3', warmupArg = '1'] = process.argv.slice(2);
const threads = Number(threadsArg), steps = Number(stepsArg), warmup = Number(warmupArg);
const info = await wasmBackend.activate({ threads });
await setWasmKernelSet(config === 'baseline' ? 'stock-with-cpu-forwarding' : 'kiln');
const batch = model === 'cnn' ? 32 : 8;
const built = { unet, mobilenet, cnn: smallCnn }[model]();
const { step, dispose } = makeStep(built, batch);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (let i = 0; i < warmup; i++) tf.dispose(step()); // first-call costs (XNNPACK operator creation, JIT)
const before = tf.memory().numTensors;
const w0 = performance.now(), c0 = cpu();
for (let i = 0; i < steps; i++) {
  const loss = step();
  await loss.data();
  loss.dispose();
}
const wall = (performance.now() - w0) / steps, cpuMs = (cpu() - c0) / steps;
const leaked = tf.memory().numTensors - before;
dispose();
console.log(JSON.stringify({ model, config, threads: Number(info.device.match(/\((\d+) thread/)?.[1] ?? threads), batch, wallMsPerStep: wall, cpuMsPerStep: cpuMs, imgPerSec: (batch * 1000) / wall, tensorsLeaked: warmup > 0 ? leaked : null, device: info.device }));
