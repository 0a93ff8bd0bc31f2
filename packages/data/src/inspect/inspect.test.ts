import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestFactory } from '../factories/image-factories.js';
import { createShapesDataset } from '../synthetic/shapes.js';
import { solid, tempDir, writeText } from '../test-utils/fixtures.js';
import { inspectData } from './inspect.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

describe('inspectData', () => {
  it('counts per split and class, image sizes, group leakage, bad samples, class weights and a sample grid', async () => {
    const rows = ['path,dx,lesion,split'];
    for (let i = 0; i < 6; i++) {
      await solid(join(dir, `img/${i}.png`), i < 4 ? 30 : 20, 20, [40 * i, 10, 10]);
      rows.push(`img/${i}.png,${i % 3 === 0 ? 'mel' : 'nv'},L${i},${i < 4 ? 'train' : 'val'}`);
    }
    rows.push('img/missing.png,nv,L9,train');
    await writeText(join(dir, 'meta.csv'), rows.join('\n'));
    const { train, val } = await manifestFactory.create(manifestFactory.schema.parse({
      file: 'meta.csv', labelColumn: 'dx', groupColumn: 'lesion', splitColumn: 'split', imageSize: 16, augment: 'medium', onBadSample: 'skip',
    }), { seed: 0, cwd: dir });
    const r = await inspectData({ splits: { train, val: val! }, outDir: join(dir, 'inspect'), grid: { count: 4, columns: 2 } });
    expect(r.splits.train).toMatchObject({ size: 4, classCounts: { mel: 2, nv: 2 }, imageSizes: [{ width: 30, height: 20, count: 4 }], groups: 4 });
    expect(r.splits.val).toMatchObject({ size: 2, classCounts: { mel: 0, nv: 2 }, imageSizes: [{ width: 20, height: 20, count: 2 }] });
    expect(r.leakage.ok).toBe(true);
    expect(r.badSamples.map((b) => [b.code, b.row])).toEqual([['KILN_DATA_MISSING_FILE', 7]]);
    expect(r.classWeights).toEqual([1, 1]);
    const meta = await sharp(r.gridFile!).metadata();
    expect([meta.width, meta.height]).toEqual([2 * 16 + 3 * 2, 2 * 16 + 3 * 2]);
  });

  it('works on in-memory sets (shapes segmentation) and reports shared samples as leakage', async () => {
    const ds = createShapesDataset({ task: 'segmentation', size: 6, imageSize: 16, numClasses: 3, seed: 2 });
    const r = await inspectData({ splits: { train: ds }, outDir: join(dir, 'shapes') });
    expect(r.splits.train.size).toBe(6);
    expect(r.splits.train.classCounts.background).toBe(6);
    expect(r.gridFile).toMatch(/samples\.png$/);
    const { train } = await manifestFactory.create(manifestFactory.schema.parse({ file: 'meta.csv', labelColumn: 'dx', groupColumn: 'lesion', onBadSample: 'skip', imageSize: 8 }), { seed: 0, cwd: dir });
    const leak = await inspectData({ splits: { a: train, b: train } });
    expect(leak.leakage.ok).toBe(false);
    expect(leak.leakage.groups.length).toBe(train.size);
  });
});
