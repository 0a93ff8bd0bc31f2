// Benchmark: JPEG decode + resize + 'medium' augmentation + ImageNet normalisation at 224×224,
// batched by BatchLoader (tensors on the tfjs cpu backend), with 0 (main thread), 1 and 2 worker threads.
// Run after a build:  npx nx run @kiln/data:build && node packages/data/bench/decode-augment.mjs [images=128] [epochs=2]
import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import sharp from 'sharp';
import { BatchLoader, DecodePool, ImageDataset, IMAGENET_STATS, resolveAugment } from '../dist/index.js';

const n = Number(process.argv[2] ?? 128);
const epochs = Number(process.argv[3] ?? 2);
await tf.setBackend('cpu');
const dir = await mkdtemp(join(tmpdir(), 'kiln-bench-'));
const records = [];
for (let i = 0; i < n; i++) {
  // 600×450 like a dermoscopy photo: smooth colour field plus noise, so JPEG has real work to do.
  const w = 600, h = 450, px = Buffer.alloc(w * h * 3);
  for (let p = 0; p < w * h; p++) {
    const x = p % w, y = Math.floor(p / w);
    px[p * 3] = (x + i * 7) % 256; px[p * 3 + 1] = (y * 2 + i) % 256; px[p * 3 + 2] = (Math.random() * 64 + 96) | 0;
  }
  const path = join(dir, `${i}.jpg`);
  await writeFile(path, await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  records.push({ path, label: i % 2 });
}
const cfg = { task: 'classification', height: 224, width: 224, channels: 3, fit: 'crop', numClasses: 2, normalize: IMAGENET_STATS, augment: resolveAugment('medium') };
console.log(`${n} JPEGs 600×450 → 224×224, medium augmentation, batch 32, ${epochs} epochs; ${availableParallelism()} cores, load ${loadavg()[0].toFixed(2)}`);
for (const workers of [0, 1, 2]) {
  const pool = workers ? new DecodePool(workers) : undefined;
  const ds = new ImageDataset(records, cfg, { pool, seed: 1 });
  const loader = new BatchLoader(ds, { batchSize: 32, shuffle: true, seed: 1, prefetch: 2 });
  for await (const b of loader.epoch(99)) { tf.dispose([b.x, b.y]); break; } // warm-up (worker start)
  const t0 = performance.now();
  let images = 0;
  for (let e = 0; e < epochs; e++) {
    for await (const b of loader.epoch(e)) { images += b.size; tf.dispose([b.x, b.y]); }
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`workers=${workers}: ${(images / s).toFixed(1)} images/s (${images} in ${s.toFixed(2)} s)`);
  await pool?.close();
}
await rm(dir, { recursive: true, force: true });
