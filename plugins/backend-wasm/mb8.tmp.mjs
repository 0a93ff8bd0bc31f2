import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { wasmBackend } from './dist/index.js';
await wasmBackend.activate();
const xs = tf.randomNormal([131072, 16], 0.3, 1, 'float32', 3).dataSync();
const ref = new Float64Array(16); for (let i = 0; i < xs.length; i++) ref[i % 16] += xs[i];
for (const Kc of [131072, 16384, 4096]) {
  const x = tf.tensor2d(xs, [131072, 16]);
  const parts = [];
  for (let r = 0; r < 131072 / Kc; r++) parts.push(tf.matMul(tf.ones([1, Kc]), tf.slice(x, [r*Kc, 0], [Kc, 16])).dataSync());
  const got = new Float64Array(16); for (const p of parts) for (let j = 0; j < 16; j++) got[j] += p[j];
  let d = 0, m = 0; for (let j = 0; j < 16; j++) { d = Math.max(d, Math.abs(got[j] - ref[j])); m = Math.max(m, Math.abs(ref[j])); }
  console.log('Kc', Kc, 'rel err', (d / m).toExponential(2), 'max|ref|', m.toFixed(1));
}
