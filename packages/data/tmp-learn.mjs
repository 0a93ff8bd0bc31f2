import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { BatchLoader, createShapesDataset } from './dist/index.js';
await tf.setBackend('cpu');
const S = 64;
const train = createShapesDataset({ task: 'segmentation', size: 256, seed: 1 });
const val = createShapesDataset({ task: 'segmentation', size: 64, seed: 1, startIndex: 256 });
const inp = tfl.input({ shape: [S, S, 3] });
const c1 = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(inp);
const p1 = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(c1);
const c2 = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(p1);
const u1 = tfl.layers.upSampling2d({ size: [2, 2] }).apply(c2);
const m = tfl.layers.concatenate().apply([u1, c1]);
const c3 = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(m);
const out = tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }).apply(c3);
const model = tfl.model({ inputs: inp, outputs: out });
const opt = tf.train.adam(0.01);
const vl = new BatchLoader(val, { batchSize: 64 });
async function dice() {
  for await (const b of vl.epoch(0)) {
    const d = tf.tidy(() => { const p = tf.cast(tf.greater(model.predict(b.x), 0.5), 'float32'); return tf.div(tf.mul(2, tf.sum(tf.mul(p, b.y))), tf.add(tf.sum(p), tf.sum(b.y))); });
    const v = (await d.data())[0]; tf.dispose([d, b.x, b.y]); return v;
  }
}
const t0 = Date.now();
console.log('start dice', await dice());
const tl = new BatchLoader(train, { batchSize: 16, shuffle: true, seed: 1 });
for (let e = 0; e < 20 && Date.now() - t0 < 60000; e++) {
  for await (const b of tl.epoch(e)) {
    opt.minimize(() => tf.tidy(() => { const p = tf.clipByValue(model.apply(b.x, { training: true }), 1e-6, 1 - 1e-6); return tf.neg(tf.mean(tf.add(tf.mul(b.y, tf.log(p)), tf.mul(tf.sub(1, b.y), tf.log(tf.sub(1, p)))))); }));
    tf.dispose([b.x, b.y]);
  }
  console.log('epoch', e, 'dice', (await dice()).toFixed(3), 's', ((Date.now() - t0) / 1000).toFixed(1), 'tensors', tf.memory().numTensors);
}
