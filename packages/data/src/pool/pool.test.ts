import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAugment } from '../augment/augment.js';
import type { PipelineConfig } from '../pipeline/pipeline.js';
import { finishSample, loadFitted } from '../pipeline/pipeline.js';
import { tempDir, writeImage } from '../test-utils/fixtures.js';
import { DecodePool } from './pool.js';

let dir: string;
let cleanup: () => Promise<void>;
const pool = new DecodePool(2);
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(async () => { await pool.close(); await cleanup(); });

describe('DecodePool', () => {
  it('runs many tasks over two workers with the same results as the main thread, and returns decoded images on request', async () => {
    const cfg: PipelineConfig = { task: 'classification', height: 24, width: 24, channels: 3, fit: 'letterbox', numClasses: 2, augment: resolveAugment('heavy') };
    const files = await Promise.all(Array.from({ length: 8 }, (_, i) => writeImage(join(dir, `${i}.jpg`), 40, 30, 3, (x, y, c) => (x * 5 + y * 3 + c * 40 + i) % 256, { format: 'jpeg' })));
    const results = await Promise.all(files.map((path, i) => pool.run({ record: { path, label: i % 2 }, cfg, draw: { seed: 1, epoch: 0, index: i }, wantFitted: i === 0 })));
    for (const [i, path] of files.entries()) {
      const local = finishSample(await loadFitted({ path }, cfg), { path, label: i % 2 }, cfg, { seed: 1, epoch: 0, index: i });
      expect(results[i].x).toEqual(local.x);
      expect(results[i].y).toBe(i % 2);
    }
    expect(results[0].fitted?.image.width).toBe(24);
    expect(results[1].fitted).toBeUndefined();
  });

  it('passes coded errors back from the worker', async () => {
    const cfg: PipelineConfig = { task: 'classification', height: 8, width: 8, channels: 1, fit: 'stretch', numClasses: 2 };
    await expect(pool.run({ record: { path: join(dir, 'none.png'), row: 4 }, cfg })).rejects.toMatchObject({ code: 'KILN_DATA_DECODE', message: expect.stringMatching(/none\.png.*manifest row 4/) });
  });
});
