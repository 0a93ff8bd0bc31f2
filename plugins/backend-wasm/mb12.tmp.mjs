import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
await tf.setBackend('cpu');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const x = tf.randomNormal([2,128,128,16]), dy = tf.randomNormal([2,128,128,16]);
const t0 = cpu();
tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3,3,16,16]}).dataSync();
console.log('cpu Conv2DBackpropFilter 2x128x128x16 (1/4 of batch 8):', (cpu() - t0).toFixed(0), 'ms CPU');
