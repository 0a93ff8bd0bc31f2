import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import { wasmBackend } from './dist/index.js';
import { channelsFirst, tapColumns } from './dist/internal/kernels/layout.js';
await wasmBackend.activate();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function time(name, f, n = 7) { tf.tidy(f); const ts = []; for (let i = 0; i < n; i++) { const t0 = cpu(); tf.tidy(f); ts.push(cpu() - t0); } ts.sort((a,b)=>a-b); const t = ts[Math.floor(n/2)]; console.log(name.padEnd(50), t.toFixed(2), 'ms'); }
for (const [N,H,C,Co] of [[8,128,16,16],[8,32,64,64],[8,8,256,256]]) {
  console.log(`--- ${N}x${H}x${H}x${C} -> ${Co}`);
  const x = tf.randomNormal([N,H,H,C]), dy = tf.randomNormal([N,H,H,Co]), w = tf.randomNormal([3,3,C,Co]);
  time('forward conv', () => tf.conv2d(x, w, 1, 'same'));
  time('A conv trick', () => {
    const xt = tf.transpose(tf.pad(x, [[0,0],[1,1],[1,1],[0,0]]), [3,1,2,0]); const ft = tf.transpose(dy, [1,2,0,3]);
    return tf.transpose(tf.conv2d(xt, ft, 1, 'valid'), [1,2,0,3]); });
  time('B current kernel', () => tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3,3,C,Co]}));
  time('  channelsFirst', () => channelsFirst(x));
  const xT = channelsFirst(x);
  time('  9 tapColumns', () => { for (let i=0;i<3;i++) for (let j=0;j<3;j++) tapColumns(xT, H, H, i, j, 1, 1, 1, 1); return tf.scalar(0); });
  const taps = []; for (let i=0;i<3;i++) for (let j=0;j<3;j++) taps.push(tapColumns(xT, H, H, i, j, 1, 1, 1, 1));
  const dy2 = tf.reshape(dy, [-1, Co]);
  time('  9 matmuls', () => tf.concat(taps.map(t => tf.matMul(t, dy2)), 0));
  const big = tf.concat(taps, 0);
  time('  concat taps', () => tf.concat(taps, 0));
  time('  1 big matmul', () => tf.matMul(big, dy2));
}
