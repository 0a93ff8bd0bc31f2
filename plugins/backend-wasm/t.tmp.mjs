import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
const { wasmBackend } = await import('./dist/index.js');
console.log(await wasmBackend.activate({ threads: Number(process.argv[2] ?? 2) }));
const x = tf.randomNormal([8,64,64,32]), w = tf.randomNormal([3,3,32,32]);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (let i = 0; i < 5; i++) { const t0 = performance.now(), c0 = cpu(); tf.conv2d(x, w, 1, 'same').dataSync(); console.log('conv wall', (performance.now()-t0).toFixed(1), 'cpu', (cpu()-c0).toFixed(1)); }
console.log(await wasmBackend.activate({ threads: 1 }));
for (let i = 0; i < 3; i++) { const t0 = performance.now(), c0 = cpu(); tf.conv2d(x, w, 1, 'same').dataSync(); console.log('conv wall', (performance.now()-t0).toFixed(1), 'cpu', (cpu()-c0).toFixed(1)); }
