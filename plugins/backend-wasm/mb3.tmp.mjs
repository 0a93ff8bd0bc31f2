import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm');
function time(name, f, n = 5) { tf.tidy(f).dispose(); const ts = []; for (let i = 0; i < n; i++) { const t0 = performance.now(); const r = tf.tidy(f); r.dataSync(); ts.push(performance.now() - t0); r.dispose(); } ts.sort((a,b)=>a-b); console.log(name.padEnd(50), ts[Math.floor(n/2)].toFixed(2), 'ms'); }
for (const [N,H,C,Co] of [[8,128,16,16],[8,32,64,64],[8,8,256,256]]) {
  const x = tf.randomNormal([N,H,H,C]), dy = tf.randomNormal([N,H,H,Co]), w = tf.randomNormal([3,3,C,Co]);
  console.log(`--- ${N}x${H}x${H}x${C} -> ${Co}`);
  time('forward conv', () => tf.conv2d(x, w, 1, 'same'));
  time('filter grad: conv trick', () => {
    const xt = tf.transpose(tf.pad(x, [[0,0],[1,1],[1,1],[0,0]]), [3,1,2,0]); const ft = tf.transpose(dy, [1,2,0,3]);
    return tf.transpose(tf.conv2d(xt, ft, 1, 'valid'), [1,2,0,3]); });
  const xT = tf.transpose(tf.pad(x, [[0,0],[1,1],[1,1],[0,0]]), [3,0,1,2]);
  const dy2 = tf.reshape(dy, [N*H*H, Co]);
  const taps = []; for (let i=0;i<3;i++) for (let j=0;j<3;j++) taps.push(tf.reshape(tf.slice(xT, [0,0,i,j],[C,N,H,H]), [C, N*H*H]));
  time('filter grad: 9 matmuls only', () => tf.concat(taps.map(t => tf.matMul(t, dy2)), 0));
  time('  transpose x', () => tf.transpose(x, [3,0,1,2]));
  time('  slice tap', () => tf.slice(xT, [0,0,1,1],[C,N,H,H]));
  const big = tf.concat(taps, 0);
  time('filter grad: one im2col matmul only', () => tf.matMul(big, dy2));
  time('input grad (stride1) = conv', () => tf.conv2d(dy, tf.transpose(tf.reverse(w,[0,1]),[0,1,3,2]), 1, 'same'));
}
