import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import { wasmBackend } from './dist/index.js';
await wasmBackend.activate();
const be = tf.backend();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function time(name, f, n = 15) { tf.tidy(f); const ts = []; for (let i = 0; i < n; i++) { const t0 = cpu(); tf.tidy(f); ts.push(cpu() - t0); } ts.sort((a,b)=>a-b); const t = ts[Math.floor(n/2)]; console.log(name.padEnd(50), t.toFixed(2), 'ms'); }
const x = tf.randomNormal([8,128,128,16]), v = tf.randomNormal([16]), v4 = tf.reshape(v, [1,1,1,16]);
const H = () => new Float32Array(be.wasm.HEAPU8.buffer);
function jsMulBc(a, b) {
  const out = be.makeOutput(a.shape, 'float32');
  const h = H(), o = be.dataIdMap.get(out.dataId).memoryOffset >> 2, xo = be.dataIdMap.get(a.dataId).memoryOffset >> 2, yo = be.dataIdMap.get(b.dataId).memoryOffset >> 2;
  const c = b.size, n = a.size;
  const y = new Float32Array(c); for (let j = 0; j < c; j++) y[j] = h[yo + j];
  for (let i = 0; i < n; i += c) for (let j = 0; j < c; j++) h[o + i + j] = h[xo + i + j] * y[j];
  return tf.engine().makeTensorFromTensorInfo(out);
}
function jsSum(a, c) {
  const out = be.makeOutput([c], 'float32');
  const h = H(), o = be.dataIdMap.get(out.dataId).memoryOffset >> 2, xo = be.dataIdMap.get(a.dataId).memoryOffset >> 2;
  const acc = new Float32Array(c), n = a.size;
  for (let i = 0; i < n; i += c) for (let j = 0; j < c; j++) acc[j] += h[xo + i + j];
  for (let j = 0; j < c; j++) h[o + j] = acc[j];
  return tf.engine().makeTensorFromTensorInfo(out);
}
time('wasm mul same', () => tf.mul(x, x));
time('wasm mul bcast [16]', () => tf.mul(x, v));
time('wasm mul bcast [1,1,1,16] first', () => tf.mul(v4, x));
time('js mul bcast', () => jsMulBc(x, v));
time('wasm add same', () => tf.add(x, x));
time('kiln sum [0,1,2]', () => tf.sum(x, [0,1,2]));
time('js sum f32 acc', () => jsSum(x, 16));
const ones = tf.ones([1, 131072]);
time('matmul ones', () => tf.matMul(ones, tf.reshape(x, [131072, 16])));
time('matmul ones incl fill', () => tf.matMul(tf.ones([1, 131072]), tf.reshape(x, [131072, 16])));
time('sum inner (stock)', () => tf.sum(x, 3));
time('tile', () => tf.tile(v4, [8,128,128,1]));
