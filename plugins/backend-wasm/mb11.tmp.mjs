import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import { wasmBackend } from './dist/index.js';
await wasmBackend.activate();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function time(name, f, n = 9) { tf.tidy(f); const ts = []; for (let i = 0; i < n; i++) { const t0 = cpu(); tf.tidy(f); ts.push(cpu() - t0); } ts.sort((a,b)=>a-b); const t = ts[Math.floor(n/2)]; console.log(name.padEnd(50), t.toFixed(2), 'ms'); }
const a = tf.randomNormal([144, 131072]), b = tf.randomNormal([131072, 16]);
time('FC cached B', () => tf.matMul(a, b));
time('FC fresh B (clone = zero copy, same id?)', () => tf.matMul(a, tf.clone(b)));
time('FC fresh B (add 0)', () => tf.matMul(a, tf.add(b, 0)));
time('  add 0 only', () => tf.add(b, 0));
const x = tf.randomNormal([8,128,128,16]), dy = tf.randomNormal([8,128,128,16]);
time('Conv2DBackpropFilter 128', () => tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3,3,16,16]}));
time('transpose x', () => tf.transpose(x, [3,0,1,2]));
