import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginHost, type DatasetFactory, type Dataset, type Sample } from '@kiln/core-trainer';
import { container } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchLoader } from '../batch-loader.js';
import { dataPlugin } from '../plugin.js';
import { solid, tempDir, writeImage, writeText } from '../test-utils/fixtures.js';
import type { EpochAwareDataset } from '../types.js';

let dir: string;
let cleanup: () => Promise<void>;
let factories: (name: string) => DatasetFactory;
const ctx = (): { seed: number; cwd: string } => ({ seed: 1, cwd: dir });
const make = async (name: string, options: unknown): Promise<{ train: Dataset; val?: Dataset }> => {
  const f = factories(name);
  return f.create(f.schema.parse(options), ctx());
};
const sample = (ds: Dataset, i: number, epoch?: number): Promise<Sample> => Promise.resolve((ds as EpochAwareDataset).get(i, epoch === undefined ? undefined : { epoch }));

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await tf.setBackend('cpu');
  const host = new PluginHost(container.createChildContainer()).use(dataPlugin);
  await host.setup();
  factories = (n) => host.registries.datasets.get(n);
  for (let i = 0; i < 6; i++) {
    await solid(join(dir, `f/red/r${i}.png`), 20, 16, [200 + i, 20, 20]);
    await solid(join(dir, `f/blue/b${i}.jpg`), 16, 16, [20, 20, 200 + i], 'jpeg');
  }
});
afterAll(() => cleanup());

describe('dataset factories', () => {
  it("registers folder, manifest, segmentation, idx and shapes; schemas reject unknown keys", () => {
    for (const n of ['folder', 'manifest', 'segmentation', 'idx', 'shapes']) expect(factories(n).schema).toBeDefined();
    expect(() => factories('folder').schema.parse({ root: 'x', imagesize: 3 })).toThrow(/imagesize/);
    expect(() => factories('folder').schema.parse({ root: 'x', augment: 'extreme' })).toThrow();
  });

  it('folder: stratified split, batches of the right shapes, augmentation per epoch on train only', async () => {
    const { train, val } = await make('folder', { root: 'f', imageSize: 12, augment: 'heavy', split: { valFraction: 0.34 } });
    expect([train.size, val!.size]).toEqual([8, 4]);
    expect(train.spec).toMatchObject({ inputShape: [12, 12, 3], numClasses: 2, classNames: ['blue', 'red'], targetDtype: 'int32' });
    const loader = new BatchLoader(train, { batchSize: 4, shuffle: true, seed: 1 });
    for await (const b of loader.epoch(0)) {
      expect(b.x.shape).toEqual([4, 12, 12, 3]);
      expect(b.y.shape).toEqual([4]);
      tf.dispose([b.x, b.y]);
    }
    expect((await sample(train, 0, 0)).x).toEqual((await sample(train, 0, 0)).x);
    expect((await sample(train, 0, 0)).x).not.toEqual((await sample(train, 0, 1)).x);
    expect((await sample(val!, 0, 0)).x).toEqual((await sample(val!, 0, 1)).x);
  });

  it('decodes in worker threads exactly as on the main thread, with the decoded cache', async () => {
    const base = { root: 'f', imageSize: 12, augment: 'medium', normalize: 'imagenet', seed: 4 };
    const main = await make('folder', base);
    const pooled = await make('folder', { ...base, workers: 1, cache: true });
    for (const [i, e] of [[0, 0], [3, 2], [0, 1]]) {
      const a = await sample(main.train, i, e);
      const b = await sample(pooled.train, i, e);
      expect(b.x).toEqual(a.x);
      expect(b.y).toEqual(a.y);
    }
    expect((await sample(pooled.train, 0, 0)).x).toEqual((await sample(main.train, 0, 0)).x); // from the cache
  });

  it('corrupt files: a coded error naming the file (also from a worker), or skipped and reported', async () => {
    await writeFile(join(dir, 'f/red/broken.png'), 'garbage');
    try {
      await expect(make('folder', { root: 'f' })).rejects.toMatchObject({ code: 'KILN_DATA_DECODE', message: expect.stringContaining('broken.png') });
      const skipped = await make('folder', { root: 'f', onBadSample: 'skip', split: { valFraction: 0.3 } });
      expect((skipped.train as unknown as { badSamples: { file: string }[] }).badSamples.map((b) => b.file)).toEqual([join(dir, 'f/red/broken.png')]);
      const unchecked = await make('folder', { root: 'f', verify: 'none', workers: 1, split: { method: 'random', valFraction: 0.5 } });
      const all = [unchecked.train, unchecked.val!];
      const reads = all.flatMap((ds) => Array.from({ length: ds.size }, (_, i) => sample(ds, i)));
      await expect(Promise.all(reads)).rejects.toMatchObject({ code: 'KILN_DATA_DECODE', message: expect.stringContaining('broken.png') });
    } finally {
      await (await import('node:fs/promises')).rm(join(dir, 'f/red/broken.png'));
    }
  });

  it('manifest: split column is kept and checked for group leakage and duplicated files', async () => {
    await writeText(join(dir, 'man.csv'), [
      'path,label,patient,split', 'f/red/r0.png,red,p1,train', 'f/blue/b0.jpg,blue,p2,train', 'f/red/r1.png,red,p3,val', 'f/blue/b1.jpg,blue,p4,val', 'f/red/r2.png,red,p5,test',
    ].join('\n'));
    const ok = await make('manifest', { file: 'man.csv', groupColumn: 'patient', splitColumn: 'split', imageSize: 8 });
    expect([ok.train.size, ok.val!.size]).toEqual([2, 2]);
    await writeText(join(dir, 'leak.csv'), ['path,label,patient,split', 'f/red/r0.png,red,p1,train', 'f/blue/b0.jpg,blue,p2,train', 'f/red/r1.png,red,p1,val'].join('\n'));
    await expect(make('manifest', { file: 'leak.csv', groupColumn: 'patient', splitColumn: 'split' })).rejects.toMatchObject({ code: 'KILN_DATA_GROUP_LEAK', message: expect.stringContaining("'p1'") });
    await writeText(join(dir, 'dup.csv'), ['path,label,split', 'f/red/r0.png,red,train', 'f/blue/b0.jpg,blue,train', 'f/red/r0.png,red,val', 'f/red/r1.png,red,val'].join('\n'));
    await expect(make('manifest', { file: 'dup.csv', splitColumn: 'split' })).rejects.toMatchObject({ code: 'KILN_DATA_DUPLICATE', message: expect.stringContaining('r0.png') });
    const skipped = await make('manifest', { file: 'dup.csv', splitColumn: 'split', onBadSample: 'skip' });
    expect(skipped.val!.size).toBe(1);
  });

  it('manifest multi-label gives float [N, C] targets with −1 kept for "ignore"', async () => {
    await writeText(join(dir, 'ml.csv'), ['path,A,B', 'f/red/r0.png,1,-1', 'f/red/r1.png,0,1', 'f/red/r2.png,1,0', 'f/red/r3.png,,1', 'f/red/r4.png,1,1'].join('\n'));
    const { train, val } = await make('manifest', { file: 'ml.csv', labelColumns: ['A', 'B'], imageSize: 8 });
    expect(train.spec).toMatchObject({ task: 'multilabel', targetShape: [2], targetDtype: 'float32' });
    const all = [...Array.from({ length: train.size }, (_, i) => sample(train, i)), ...Array.from({ length: val!.size }, (_, i) => sample(val!, i))];
    const ys = (await Promise.all(all)).map((s) => Array.from(s.y as Float32Array)).sort();
    expect(ys).toEqual([[0, 1], [0, 1], [1, -1], [1, 0], [1, 1]]);
  });

  it('segmentation: binary masks → float [H, W, 1]; index masks → int32 [H, W]; palette masks', async () => {
    for (let i = 0; i < 5; i++) {
      await writeImage(join(dir, `seg/img/${i}.png`), 10, 10, 3, (x) => (x < 5 ? 250 : 10));
      await writeImage(join(dir, `seg/bin/${i}.png`), 10, 10, 1, (x) => (x < 5 ? 255 : 0));
      await writeImage(join(dir, `seg/idx/${i}.png`), 10, 10, 1, (x, y) => (x < 5 ? (y < 5 ? 1 : 2) : 0));
      await writeImage(join(dir, `seg/pal/${i}.png`), 10, 10, 3, (x, _y, c) => (x < 5 ? [255, 0, 0][c] : 0), { palette: true });
    }
    const bin = await make('segmentation', { images: 'seg/img', masks: 'seg/bin', imageSize: 10, augment: 'light' });
    expect(bin.train.spec).toMatchObject({ targetShape: [10, 10, 1], targetDtype: 'float32', numClasses: 1 });
    const s = await sample(bin.val!, 0);
    expect(Array.from((s.y as Float32Array).slice(0, 10))).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    const idx = await make('segmentation', { images: 'seg/img', masks: 'seg/idx', imageSize: 10, mask: { mode: 'index', numClasses: 3 } });
    expect(idx.train.spec).toMatchObject({ targetShape: [10, 10], targetDtype: 'int32' });
    for await (const b of new BatchLoader(idx.train, { batchSize: 2 }).epoch(0)) {
      expect([b.y.shape, b.y.dtype]).toEqual([[2, 10, 10], 'int32']);
      expect(Array.from(await b.y.data()).slice(0, 6)).toEqual([1, 1, 1, 1, 1, 0]);
      tf.dispose([b.x, b.y]);
    }
    const pal = await make('segmentation', { images: 'seg/img', masks: 'seg/pal', imageSize: 10, mask: { mode: 'palette', palette: [[0, 0, 0], [255, 0, 0]] } });
    expect(Array.from(((await sample(pal.val!, 0)).y as Int32Array).slice(0, 6))).toEqual([1, 1, 1, 1, 1, 0]);
    await expect(make('segmentation', { images: 'seg/img', masks: 'seg/idx', mask: { mode: 'index' } })).rejects.toMatchObject({ code: 'KILN_DATA_INVALID_OPTION' });
  });

  it("normalize: 'dataset' computes the training split's channel statistics", async () => {
    const { train } = await make('folder', { root: 'f', imageSize: 8, normalize: 'dataset', split: { valFraction: 0.5 } });
    let sum = 0;
    let n = 0;
    for (let i = 0; i < train.size; i++) { const { x } = await sample(train, i); x.forEach((v) => { sum += v; n++; }); }
    expect(Math.abs(sum / n)).toBeLessThan(1e-3);
  });
});
