import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { wasmBackend } from './dist/index.js';
await wasmBackend.activate();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function time(name, f, n = 7) { tf.tidy(f); const ts = []; for (let i = 0; i < n; i++) { const t0 = cpu(); tf.tidy(f); ts.push(cpu() - t0); } ts.sort((a,b)=>a-b); const t = ts[Math.floor(n/2)]; console.log(name.padEnd(50), t.toFixed(2), 'ms'); }
for (const [N,H,C,s] of [[8,64,64,1],[8,64,96,2],[8,16,256,1]]) {
  const OH = Math.ceil(H/s);
  console.log(`--- ${N}x${H}x${H}x${C} s${s}`);
  const x = tf.randomNormal([N,H,H,C]), dy = tf.randomNormal([N,OH,OH,C]), f = tf.randomNormal([3,3,C,1]);
  time('forward dw', () => tf.depthwiseConv2d(x, f, s, 'same'));
  time('JS filter grad', () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', {x, dy}, {strides: s, dilations: 1, pad: 'same', filterShape: [3,3,C,1]}));
  const trick = () => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, [3,3,C,1], s, 1, 'same', undefined, true);
    const p = info.padInfo;
    const xp = tf.pad(x, [[0,0],[p.top,p.bottom],[p.left,p.right],[0,0]]);
    const I = tf.reshape(tf.transpose(xp, [1,2,0,3]), [1, xp.shape[1], xp.shape[2], N*C]);
    const F = tf.reshape(tf.transpose(dy, [1,2,0,3]), [OH, OH, N*C, 1]);
    const o = tf.depthwiseConv2d(I, F, 1, 'valid', 'NHWC', s);
    return tf.sum(tf.reshape(tf.slice(o, [0,0,0,0],[1,3,3,-1]), [3,3,N,C]), 2);
  };
  time('dw conv trick', trick);
  const a = tf.tidy(trick).dataSync(), b = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', {x, dy}, {strides: s, dilations: 1, pad: 'same', filterShape: [3,3,C,1]}).dataSync();
  let d = 0, m = 0; for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i]-b[i])); m = Math.max(m, Math.abs(b[i])); } console.log('  rel diff', (d/m).toExponential(1));
}
