import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm');
function time(name, f, n = 7) { f().dispose(); const ts = []; for (let i = 0; i < n; i++) { const t0 = performance.now(); const r = f(); r.dataSync(); ts.push(performance.now() - t0); r.dispose(); } ts.sort((a,b)=>a-b); console.log(name.padEnd(40), ts[Math.floor(n/2)].toFixed(2), 'ms'); }
const be = tf.backend();
function jsMul(a, b) {
  const out = be.makeOutput(a.shape, 'float32');
  const o = be.typedArrayFromHeap(out), x = be.typedArrayFromHeap(a), y = be.typedArrayFromHeap(b);
  for (let i = 0; i < o.length; i++) o[i] = x[i] * y[i];
  return tf.engine().makeTensorFromTensorInfo(out);
}
function jsMulBc(a, b) {
  const out = be.makeOutput(a.shape, 'float32');
  const o = be.typedArrayFromHeap(out), x = be.typedArrayFromHeap(a), y = be.typedArrayFromHeap(b);
  const c = y.length;
  for (let i = 0; i < o.length; i += c) for (let j = 0; j < c; j++) o[i + j] = x[i + j] * y[j];
  return tf.engine().makeTensorFromTensorInfo(out);
}
const x = tf.randomNormal([8,128,128,16]), v = tf.randomNormal([16]);
time('wasm mul same', () => tf.mul(x, x));
time('js mul same', () => jsMul(x, x));
time('wasm mul bcast', () => tf.mul(x, v));
time('js mul bcast', () => jsMulBc(x, v));
time('wasm add', () => tf.add(x, x));
time('wasm relu', () => tf.relu(x));
time('js fill only', () => { const out = be.makeOutput(x.shape, 'float32'); be.typedArrayFromHeap(out).fill(1); return tf.engine().makeTensorFromTensorInfo(out); });
