import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
const require = createRequire(import.meta.url);
const bundlePath = require.resolve('@tensorflow/tfjs-backend-wasm');
const src = readFileSync(bundlePath, 'utf8');
const m = /var wasmWorkerContents = ("(?:[^"\\]|\\.)*");/.exec(src);
let worker = JSON.parse(m[1]);
const needle = 'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}WasmBackendModuleThreadedSimd(Module)';
console.log('needle found', worker.includes(needle));
worker = worker.replace(needle, () => 'Object.assign(global,{commonjsGlobal:global,require$$0:require("fs"),require$$1:require("path"),require$$3:require("perf_hooks"),require$$4:require("os")});Promise.resolve(typeof e.data.urlOrBlob=="string"?fs.readFileSync(e.data.urlOrBlob,"utf8"):e.data.urlOrBlob.text()).then(s=>{(0,eval)(s);WasmBackendModuleThreadedSimd(Module)})');
const file = join(tmpdir(), 'kiln-wasm-worker.cjs');
writeFileSync(file, worker.replace(/\n/g, '\\n'));
const wasm = await import('@tensorflow/tfjs-backend-wasm');
if (process.argv[2] !== '0') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
wasm.setThreadsCount(Number(process.argv[2] ?? 2));
const orig = URL.createObjectURL;
URL.createObjectURL = (b) => (b?.type === 'application/javascript' ? file : orig(b));
const cpus = os.cpus; const n = Number(process.argv[3] ?? 0); if (n) os.cpus = () => Array.from({length: n}, () => cpus()[0]);
const ok = await tf.setBackend('wasm'); os.cpus = cpus;
URL.createObjectURL = orig;
const PT = tf.backend().wasm.PThread; console.log('PThread', !!PT, PT && PT.runningWorkers.length, PT && PT.unusedWorkers.length); if (PT) for (const w of [...PT.runningWorkers, ...PT.unusedWorkers]) w.unref();
console.log('ok', ok, 'threads', wasm.getThreadsCount());
const a = tf.randomNormal([1024, 1024]);
for (let i = 0; i < 5; i++) { const t0 = performance.now(); const c = tf.matMul(a, a); c.dataSync(); console.log('matmul', (performance.now() - t0).toFixed(1), 'ms', (2*1024**3/((performance.now()-t0)/1000)/1e9).toFixed(1), 'GFLOP/s'); c.dispose(); }
const x = tf.randomNormal([8, 64, 64, 32]), w = tf.randomNormal([3,3,32,32]);
for (let i = 0; i < 5; i++) { const t0 = performance.now(); const c = tf.conv2d(x, w, 1, 'same'); c.dataSync(); console.log('conv', (performance.now() - t0).toFixed(1), 'ms'); c.dispose(); }
