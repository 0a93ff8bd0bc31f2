import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import { wasmBackend } from './dist/index.js';
await wasmBackend.activate();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function time(name, f, flop, n = 9) { tf.tidy(f); const ts = []; for (let i = 0; i < n; i++) { const t0 = cpu(); tf.tidy(f); ts.push(cpu() - t0); } ts.sort((a,b)=>a-b); const t = ts[Math.floor(n/2)]; console.log(name.padEnd(50), t.toFixed(2), 'ms', flop ? (flop / t / 1e6).toFixed(1) + ' GFLOP/s' : ''); }
const P = 131072;
for (const [M, N] of [[16,16],[144,16],[16,144],[288, 32], [576, 64]]) {
  const a = tf.randomNormal([M, P]), b = tf.randomNormal([P, N]);
  time(`FC M=${M} K=${P} N=${N}`, () => tf.matMul(a, b), 2*M*N*P);
  for (const Kc of [1024, 4096]) {
    const as = [], bs = [];
    for (let i = 0; i < 8; i++) { as.push(tf.randomNormal([M, Kc])); bs.push(tf.randomNormal([Kc, N])); }
    time(`  chunked Kc=${Kc} (8 chunks, scaled x${P/Kc/8})`, () => { let acc = null; for (let i = 0; i < 8; i++) { const r = tf.matMul(as[i], bs[i]); acc = acc ? tf.add(acc, r) : r; } return acc; }, 2*M*N*Kc*8);
  }
}
const x = tf.randomNormal([8,128,128,16]), w = tf.randomNormal([3,3,16,16]);
time('conv fwd 3x3 16->16 @128', () => tf.conv2d(x, w, 1, 'same'), 2*P*144*16);
const x2 = tf.randomNormal([8,32,32,64]), w2 = tf.randomNormal([3,3,64,64]);
time('conv fwd 3x3 64->64 @32', () => tf.conv2d(x2, w2, 1, 'same'), 2*8192*576*64);
