// One data-pipeline measurement in its own process: JPEG decode + resize + 'medium' augmentation +
// ImageNet normalisation at 224×224, batched by BatchLoader (prefetch 2, batch tensors on the tfjs
// cpu backend), on `workers` decode threads (0 = main thread). The same pipeline as
// packages/data/bench/decode-augment.mjs, through @kiln/data's public API. Prints one `@@BENCH {json}` line.
// Usage: node src/data-worker.mjs '{"dir":"/tmp/x","workers":2,"epochs":2}'
import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BatchLoader, DecodePool, IMAGENET_STATS, ImageDataset, resolveAugment } from '@kiln/data';

const cfg = { epochs: 2, batch: 32, size: 224, ...JSON.parse(process.argv[2] ?? '{}') };
const emit = (o) => process.stdout.write(`@@BENCH ${JSON.stringify({ workers: cfg.workers, ...o })}\n`);

try {
  await tf.setBackend('cpu');
  const files = readdirSync(cfg.dir).filter((f) => f.endsWith('.jpg')).sort();
  const records = files.map((f, i) => ({ path: join(cfg.dir, f), label: i % 2 }));
  const pipeline = { task: 'classification', height: cfg.size, width: cfg.size, channels: 3, fit: 'crop', numClasses: 2, normalize: IMAGENET_STATS, augment: resolveAugment('medium') };
  const pool = cfg.workers ? new DecodePool(cfg.workers) : undefined;
  const loader = new BatchLoader(new ImageDataset(records, pipeline, { pool, seed: 1 }), { batchSize: cfg.batch, shuffle: true, seed: 1, prefetch: 2 });
  for await (const b of loader.epoch(99)) { tf.dispose([b.x, b.y]); break; } // warm-up: worker start, first decodes
  const t0 = performance.now();
  let images = 0;
  for (let e = 0; e < cfg.epochs; e++) {
    for await (const b of loader.epoch(e)) { images += b.size; tf.dispose([b.x, b.y]); }
  }
  const sec = (performance.now() - t0) / 1000;
  await pool?.close();
  emit({ ok: true, imgPerSec: images / sec, images, seconds: +sec.toFixed(2), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) });
} catch (e) {
  emit({ ok: false, error: `${e.message.split('\n')[0]}` });
}
process.exit(0);
