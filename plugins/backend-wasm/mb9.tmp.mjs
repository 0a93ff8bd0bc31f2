import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import { wasmBackend } from './dist/index.js';
import { channelsFirst, tapColumns } from './dist/internal/kernels/layout.js';
await wasmBackend.activate();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function time(name, f, n = 11) { tf.tidy(f); const ts = []; for (let i = 0; i < n; i++) { const t0 = cpu(); tf.tidy(f); ts.push(cpu() - t0); } ts.sort((a,b)=>a-b); const t = ts[Math.floor(n/2)]; console.log(name.padEnd(50), t.toFixed(2), 'ms'); }
const x = tf.randomNormal([8,128,128,16]);
time('channelsFirst JS', () => channelsFirst(x));
time('wasm transpose 2d', () => tf.transpose(tf.reshape(x, [131072, 16])));
time('wasm transpose 4d [3,0,1,2]', () => tf.transpose(x, [3,0,1,2]));
const a = tf.randomNormal([16, 131072]);
time('matmul fresh B each time', () => tf.matMul(a, tf.reshape(tf.add(x, 0), [131072, 16])));
time('  (just the add)', () => tf.reshape(tf.add(x, 0), [131072, 16]));
const b = tf.reshape(x, [131072, 16]);
time('matmul same B', () => tf.matMul(a, b));
time('9 matmul fresh B shared', () => { const bb = tf.reshape(tf.add(x, 0), [131072, 16]); for (let i = 0; i < 9; i++) tf.matMul(a, bb); return bb; });
