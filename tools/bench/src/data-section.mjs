// The data section (issue 6, item 5): can the data pipeline feed training? JPEG decode + augment at
// 224² with 1 and 2 decode workers (and the main thread), side by side in the same run with
// EfficientNet-B0 training at 224², batch 8, on the native backend (the wasm backend when native
// does not load). Target: decode + augment ≥ 2× the training images/second.
// Measurements alternate round-robin, each in its own process (src/data-worker.mjs, src/worker.mjs).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { median, runWorker } from './proc.mjs';

/**
 * `n` 600×450 JPEGs (quality 90, like dermoscopy photos): a smooth colour field plus noise, so the
 * JPEG decoder has real work. Deterministic (an LCG instead of packages/data/bench's Math.random).
 */
async function writeJpegs(dir, n) {
  const w = 600, h = 450;
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 63;
  for (let i = 0; i < n; i++) {
    const px = Buffer.alloc(w * h * 3);
    for (let p = 0; p < w * h; p++) {
      const x = p % w, y = (p / w) | 0;
      px[p * 3] = (x + i * 7) % 256; px[p * 3 + 1] = (y * 2 + i) % 256; px[p * 3 + 2] = rand() + 96;
    }
    await writeFile(join(dir, `${String(i).padStart(4, '0')}.jpg`), await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  }
}

/**
 * Runs the data section.
 * @param {{ repeats: number, images: number, epochs: number, workers: number[], budget: number }} cfg
 * @param {{ log: (line: string) => void, load: () => void }} io
 */
export async function runDataSection(cfg, { log, load }) {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-bench-jpeg-'));
  try {
    log(`data: writing ${cfg.images} JPEGs 600×450 …`);
    await writeJpegs(dir, cfg.images);
    const train = { id: 'native', note: null };
    const decodeRuns = new Map(cfg.workers.map((w) => [w, []]));
    const trainRuns = [];
    for (let rep = 0; rep < cfg.repeats; rep++) {
      for (const workers of cfg.workers) {
        const r = await runWorker('data-worker.mjs', { dir, workers, epochs: cfg.epochs });
        decodeRuns.get(workers).push(r);
        load();
        log(`data: decode+augment, ${workers} worker(s) #${rep + 1}: ${r.ok ? `${r.imgPerSec.toFixed(1)} img/s (${r.images} in ${r.seconds} s)` : r.error}`);
      }
      if (trainRuns.length && !trainRuns[0].ok) continue;
      const job = { model: 'efficientnet-224', budget: cfg.budget, rounds: 2, modes: ['bare'] };
      let t = await runWorker('worker.mjs', { ...job, backend: train.id });
      if (!t.ok && train.id === 'native' && /^backend unavailable/.test(t.error)) {
        // Native TensorFlow is not installed here: say so, and compare with Kiln wasm (1 thread, the faster one on 2 cores).
        Object.assign(train, { id: 'kiln-wasm-1', note: `native backend not available (${t.error.replace(/^backend unavailable: /, '')}); compared with Kiln wasm (1 thread) instead` });
        log(`data: ${train.note}`);
        t = await runWorker('worker.mjs', { ...job, backend: train.id });
      }
      trainRuns.push(t);
      load();
      log(`data: EfficientNet-B0 224² b8 training on ${train.id} #${rep + 1}: ${t.ok ? `${t.ips.bare.map((v) => v.toFixed(2)).join('/')} img/s` : t.error}`);
    }
    const decode = cfg.workers.map((workers) => {
      const ok = decodeRuns.get(workers).filter((r) => r.ok);
      return ok.length ? { workers, ok: true, imgPerSec: median(ok.map((r) => r.imgPerSec)), samples: ok.map((r) => r.imgPerSec), peakRssMB: Math.max(...ok.map((r) => r.peakRssMB)) }
        : { workers, ok: false, error: decodeRuns.get(workers)[0]?.error ?? 'not run' };
    });
    const okTrain = trainRuns.filter((r) => r.ok);
    const training = okTrain.length
      ? { ok: true, backend: train.id, device: okTrain[0].device, batch: okTrain[0].batch, input: [224, 224, 3], params: okTrain[0].params, imgPerSec: median(okTrain.flatMap((r) => r.ips.bare)), samples: okTrain.flatMap((r) => r.ips.bare), peakRssMB: Math.max(...okTrain.map((r) => r.peakRssMB)) }
      : { ok: false, backend: train.id, error: trainRuns[0]?.error ?? 'not run' };
    const ratio = Object.fromEntries(decode.filter((d) => d.ok && training.ok).map((d) => [d.workers, d.imgPerSec / training.imgPerSec]));
    return {
      date: new Date().toISOString(),
      pipeline: `${cfg.images} JPEGs 600×450 (q90) → crop-fit 224×224, 'medium' augmentation, ImageNet normalisation, BatchLoader batch 32, prefetch 2, ${cfg.epochs} epochs per process (tensors on the tfjs cpu backend)`,
      training: { ...training, note: train.note },
      decode, ratio, target: 2, repeats: cfg.repeats,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
