import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import { wasmBackend } from './dist/index.js';
import { channelsFirst, tapColumns } from './dist/internal/kernels/layout.js';
await wasmBackend.activate();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function time(name, f, n = 15) { tf.tidy(f); const ts = []; for (let i = 0; i < n; i++) { const t0 = cpu(); tf.tidy(f); ts.push(cpu() - t0); } ts.sort((a,b)=>a-b); console.log(name.padEnd(50), ts[Math.floor(n/2)].toFixed(2), 'ms'); }
const x = tf.randomNormal([8,128,128,16]);
time('channelsFirst 8x128x128x16', () => channelsFirst(x));
const xT = channelsFirst(x);
time('tapColumns center', () => tapColumns(xT, 128, 128, 1, 1, 1, 1, 1, 1));
time('tapColumns corner', () => tapColumns(xT, 128, 128, 0, 0, 1, 1, 1, 1));
const dy2 = tf.randomNormal([8*128*128, 16]);
const cols = tapColumns(xT, 128, 128, 1, 1, 1, 1, 1, 1);
time('matmul cols x dy2', () => tf.matMul(cols, dy2));
time('conv fwd', () => tf.conv2d(x, tf.randomNormal([3,3,16,16]), 1, 'same'));
