import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solid, tempDir, writeImage, writeText } from '../test-utils/fixtures.js';
import { BadSampleCollector, writeBadSampleReport } from './bad-samples.js';
import { scanImageFolder } from './folder.js';
import { createIdxDataset, readIdx } from './idx.js';
import { readManifest } from './manifest.js';
import { scanSegmentationPairs } from './segmentation-pairs.js';
import { verifyRecords } from './verify.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

describe('image folder', () => {
  it('labels by sorted subfolder, recursing, and reports an empty class', async () => {
    await solid(join(dir, 'f/cat/a.png'), 4, 4, [255, 0, 0]);
    await solid(join(dir, 'f/cat/sub/b.jpg'), 4, 4, [255, 0, 0], 'jpeg');
    await solid(join(dir, 'f/ant/c.png'), 4, 4, [0, 0, 255]);
    await writeText(join(dir, 'f/ant/notes.txt'), 'ignored');
    const { records, classNames } = await scanImageFolder(join(dir, 'f'), new BadSampleCollector());
    expect(classNames).toEqual(['ant', 'cat']);
    expect(records.map((r) => [r.path.slice(dir.length), r.label])).toEqual([['/f/ant/c.png', 0], ['/f/cat/a.png', 1], ['/f/cat/sub/b.jpg', 1]]);
    await expect(scanImageFolder(join(dir, 'f'), new BadSampleCollector(), ['ant', 'cat', 'dog'])).rejects.toMatchObject({ code: 'KILN_DATA_EMPTY_CLASS', message: expect.stringContaining("'dog'") });
    const skip = new BadSampleCollector('skip');
    await scanImageFolder(join(dir, 'f'), skip, ['ant', 'cat', 'dog']);
    expect(skip.items.map((i) => i.code)).toEqual(['KILN_DATA_EMPTY_CLASS']);
    await expect(scanImageFolder(join(dir, 'nope'), skip)).rejects.toMatchObject({ code: 'KILN_DATA_MISSING_FILE' });
  });
});

describe('manifest', () => {
  it('reads CSV (quoted fields, extension, group) into class indices and names the row of an unknown label', async () => {
    await solid(join(dir, 'm/img/ISIC_1.jpg'), 4, 4, [1, 2, 3], 'jpeg');
    await writeText(join(dir, 'm/meta.csv'), 'lesion_id,image_id,dx\r\nL1,img/ISIC_1,nv\r\n"L,2","img/ISIC_2",mel\r\nL3,img/ISIC_3,"bcc"\n');
    const o = { file: join(dir, 'm/meta.csv'), pathColumn: 'image_id', extension: '.jpg', labelColumn: 'dx', groupColumn: 'lesion_id' };
    const m = await readManifest(o, new BadSampleCollector());
    expect(m.classNames).toEqual(['bcc', 'mel', 'nv']);
    expect(m.records.map((r) => [r.path.slice(dir.length), r.label, r.group, r.row])).toEqual([
      ['/m/img/ISIC_1.jpg', 2, 'L1', 1], ['/m/img/ISIC_2.jpg', 1, 'L,2', 2], ['/m/img/ISIC_3.jpg', 0, 'L3', 3]]);
    await expect(readManifest({ ...o, classes: ['nv', 'mel'] }, new BadSampleCollector()))
      .rejects.toMatchObject({ code: 'KILN_DATA_UNKNOWN_LABEL', message: expect.stringMatching(/row 3.*'bcc'/) });
    await expect(readManifest({ ...o, labelColumn: 'diagnosis' }, new BadSampleCollector())).rejects.toMatchObject({ code: 'KILN_DATA_MANIFEST', message: expect.stringContaining("'diagnosis'") });
  });

  it('checks files: a missing file names file and row; with skip it is listed in the report', async () => {
    const m = await readManifest({ file: join(dir, 'm/meta.csv'), pathColumn: 'image_id', extension: '.jpg', labelColumn: 'dx' }, new BadSampleCollector());
    await expect(verifyRecords(m.records, 'header', new BadSampleCollector())).rejects.toMatchObject({ code: 'KILN_DATA_MISSING_FILE', message: expect.stringMatching(/ISIC_2\.jpg.*row 2/) });
    const skip = new BadSampleCollector('skip');
    const ok = await verifyRecords(m.records, 'header', skip);
    expect(ok.map((r) => [r.row, r.width, r.height])).toEqual([[1, 4, 4]]);
    expect(skip.items.map((i) => [i.code, i.row])).toEqual([['KILN_DATA_MISSING_FILE', 2], ['KILN_DATA_MISSING_FILE', 3]]);
    const report = await writeBadSampleReport(join(dir, 'run'), skip.items);
    expect(JSON.parse(await (await import('node:fs/promises')).readFile(report, 'utf8')).count).toBe(2);
  });

  it('reads JSON multi-label rows with the uncertain-label policy (−1 → ignore | zero | one; blank → 0)', async () => {
    const rows = [{ path: 'a.png', Edema: 1, Effusion: -1, Pneumonia: '' }, { path: 'b.png', Edema: '0.0', Effusion: '1.0', Pneumonia: -1 }];
    await writeText(join(dir, 'cx/labels.json'), JSON.stringify(rows));
    const base = { file: join(dir, 'cx/labels.json'), labelColumns: ['Edema', 'Effusion', 'Pneumonia'] };
    const get = async (uncertain?: 'ignore' | 'zero' | 'one'): Promise<unknown> => (await readManifest({ ...base, uncertain }, new BadSampleCollector())).records.map((r) => r.labels);
    expect(await get()).toEqual([[1, -1, 0], [0, 1, -1]]);
    expect(await get('zero')).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(await get('one')).toEqual([[1, 1, 0], [0, 1, 1]]);
    await writeText(join(dir, 'cx/bad.json'), JSON.stringify([{ path: 'a.png', Edema: 'maybe', Effusion: 0, Pneumonia: 0 }]));
    await expect(readManifest({ ...base, file: join(dir, 'cx/bad.json') }, new BadSampleCollector())).rejects.toMatchObject({ code: 'KILN_DATA_UNKNOWN_LABEL', message: expect.stringMatching(/row 1.*Edema.*maybe/) });
  });
});

describe('segmentation pairs', () => {
  it('matches masks by name (+ suffix), reports a missing mask and a mask of the wrong size', async () => {
    await solid(join(dir, 's/img/a.jpg'), 8, 6, [9, 9, 9], 'jpeg');
    await solid(join(dir, 's/img/b.png'), 8, 6, [9, 9, 9]);
    await solid(join(dir, 's/img/c.png'), 8, 6, [9, 9, 9]);
    await writeImage(join(dir, 's/mask/a_mask.png'), 8, 6, 1, (x) => (x > 3 ? 255 : 0));
    await writeImage(join(dir, 's/mask/b_mask.png'), 7, 6, 1, () => 0);
    await expect(scanSegmentationPairs(join(dir, 's/img'), join(dir, 's/mask'), '_mask', new BadSampleCollector())).rejects.toMatchObject({ code: 'KILN_DATA_MISSING_MASK', message: expect.stringContaining('c.png') });
    const skip = new BadSampleCollector('skip');
    const recs = await scanSegmentationPairs(join(dir, 's/img'), join(dir, 's/mask'), '_mask', skip);
    expect(recs.map((r) => r.maskPath?.slice(dir.length))).toEqual(['/s/mask/a_mask.png', '/s/mask/b_mask.png']);
    await expect(verifyRecords(recs, 'header', new BadSampleCollector())).rejects.toMatchObject({ code: 'KILN_DATA_MASK_SIZE', message: expect.stringMatching(/b_mask\.png.*7×6.*8×6/) });
    const ok = await verifyRecords(recs, 'header', skip);
    expect(ok).toHaveLength(1);
    expect(skip.items.map((i) => i.code)).toEqual(['KILN_DATA_MISSING_MASK', 'KILN_DATA_MASK_SIZE']);
  });
});

function idx(dims: number[], data: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.set([0, 0, 8, dims.length]);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

describe('IDX', () => {
  it('reads plain and gzipped IDX files into [h, w, 1] images in [0, 1] with int labels', async () => {
    await writeFile(join(dir, 'img.idx'), idx([2, 2, 3], [0, 255, 0, 0, 0, 0, 51, 51, 51, 51, 51, 51]));
    await writeFile(join(dir, 'lab.idx.gz'), gzipSync(idx([2], [3, 1])));
    const ds = await createIdxDataset({ images: join(dir, 'img.idx'), labels: join(dir, 'lab.idx.gz'), classNames: ['a', 'b', 'c', 'd'] });
    expect(ds.spec).toMatchObject({ inputShape: [2, 3, 1], numClasses: 4, targetDtype: 'int32' });
    expect(ds.get(1).y).toBe(1);
    expect(Array.from(ds.get(0).x)).toEqual([0, 1, 0, 0, 0, 0]);
    await writeFile(join(dir, 'badlab.idx'), idx([3], [1, 2, 3]));
    await expect(createIdxDataset({ images: join(dir, 'img.idx'), labels: join(dir, 'badlab.idx') })).rejects.toMatchObject({ code: 'KILN_DATA_IDX_FORMAT' });
    await writeFile(join(dir, 'short.idx'), idx([2, 2, 3], [1, 2]));
    await expect(readIdx(join(dir, 'short.idx'))).rejects.toMatchObject({ code: 'KILN_DATA_IDX_FORMAT', message: expect.stringContaining('short.idx') });
  });

  const fm = '/usr/share/datasets/fashion-mnist';
  it.skipIf(!existsSync(fm))('reads the real Fashion-MNIST of Debian dataset-fashion-mnist', async () => {
    const ds = await createIdxDataset({ images: `${fm}/t10k-images-idx3-ubyte.gz`, labels: `${fm}/t10k-labels-idx1-ubyte.gz`, limit: 500 });
    expect(ds.size).toBe(500);
    expect(ds.spec.inputShape).toEqual([28, 28, 1]);
    expect(ds.spec.numClasses).toBe(10);
    expect(ds.get(0).y).toBe(9); // the first t10k item is an ankle boot
  });
  if (!existsSync(fm)) console.log(`skipping the real Fashion-MNIST test: ${fm} is absent (apt-get install -y dataset-fashion-mnist)`);
});
