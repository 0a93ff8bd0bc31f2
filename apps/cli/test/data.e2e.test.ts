// End to end through the real CLI (issue 6, "a UNet and a classifier train from folders through the
// CLI"): the test writes small PNG and JPEG images with sharp into a temp dir (an image folder with
// one subfolder per class, and image + mask folders), trains with `data: { name: folder }` and
// `data: { name: segmentation }` on wasm, and checks the run files. Then the bad-input path: a
// corrupt image stops the run with exit 2 and KILN_DATA_DECODE naming the file; with
// `onBadSample: skip` the run completes and bad-samples.json lists it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { Io } from '../src/internal/output.js';

async function kiln(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, cwd };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const S = 40; // stored size; the runs resize to 32×32

/** An RGB image with a bright disk (or square) of radius r at (cx, cy) on a noisy dark background, and its 0/255 mask. */
function draw(kind: 'disk' | 'square', i: number): { rgb: Buffer; mask: Buffer } {
  const rgb = Buffer.alloc(S * S * 3);
  const mask = Buffer.alloc(S * S);
  const cx = 12 + (i * 5) % 16, cy = 12 + (i * 7) % 16, r = 6 + (i % 4);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const inside = kind === 'disk' ? (x - cx) ** 2 + (y - cy) ** 2 <= r * r : Math.abs(x - cx) <= r && Math.abs(y - cy) <= r;
      const p = y * S + x;
      const noise = (p * 31 + i * 17) % 40;
      mask[p] = inside ? 255 : 0;
      rgb[p * 3] = inside ? 200 + (noise >> 1) : 20 + noise;
      rgb[p * 3 + 1] = inside ? 180 + (noise >> 1) : 30 + noise;
      rgb[p * 3 + 2] = inside ? 60 : 40 + noise;
    }
  }
  return { rgb, mask };
}

const png = (px: Buffer, channels: 1 | 3): Promise<Buffer> => sharp(px, { raw: { width: S, height: S, channels } }).png().toBuffer();
const jpeg = (px: Buffer): Promise<Buffer> => sharp(px, { raw: { width: S, height: S, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();

/** `root/disk/*` and `root/square/*`, n images each, PNG and JPEG alternating. */
async function writeClassFolder(root: string, n: number): Promise<void> {
  for (const kind of ['disk', 'square'] as const) {
    mkdirSync(join(root, kind), { recursive: true });
    for (let i = 0; i < n; i++) {
      const { rgb } = draw(kind, i);
      writeFileSync(join(root, kind, `${kind}-${i}.${i % 2 ? 'jpg' : 'png'}`), i % 2 ? await jpeg(rgb) : await png(rgb, 3));
    }
  }
}

/** `images/<i>.jpg|png` and `masks/<i>.png` (binary 0/255, same name, same size). */
async function writeSegmentationFolders(root: string, n: number): Promise<void> {
  mkdirSync(join(root, 'images'), { recursive: true });
  mkdirSync(join(root, 'masks'), { recursive: true });
  for (let i = 0; i < n; i++) {
    const { rgb, mask } = draw(i % 2 ? 'disk' : 'square', i);
    const ext = i % 2 ? 'jpg' : 'png';
    writeFileSync(join(root, 'images', `case${i}.${ext}`), ext === 'jpg' ? await jpeg(rgb) : await png(rgb, 3));
    writeFileSync(join(root, 'masks', `case${i}.png`), await png(mask, 1)); // matched to the image by name without extension
  }
}

type Row = Record<string, number>;
const history = (run: string): Row[] => readFileSync(join(run, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

/** Run files of a completed 2-epoch run: config.yaml with the data section, finite losses, the model. */
function expectRunFiles(run: string, dataName: string, valMetric: string): void {
  expect(readFileSync(join(run, 'config.yaml'), 'utf8')).toMatch(new RegExp(`data:\\n\\s+name: ${dataName}`));
  const epochs = history(run).filter((h) => 'epoch' in h);
  expect(epochs.map((h) => h.epoch)).toEqual([0, 1]);
  for (const h of epochs) {
    expect(Number.isFinite(h.loss) && Number.isFinite(h.val_loss), JSON.stringify(h)).toBe(true);
    expect(h[valMetric], JSON.stringify(h)).toBeGreaterThanOrEqual(0);
    expect(h[valMetric], JSON.stringify(h)).toBeLessThanOrEqual(1);
  }
  const model = JSON.parse(readFileSync(join(run, 'model', 'model.json'), 'utf8'));
  expect(model.modelTopology.config.layers.length).toBeGreaterThan(3);
  expect(existsSync(join(run, 'model', 'weights.bin'))).toBe(true);
}

const TRAINER = 'trainer: { maxEpochs: 2, numSanityValSteps: 0 }';

describe('kiln train from image folders (e2e)', () => {
  // `kiln train` in-process leaves the model's and optimizer's variables allocated; freed between runs.
  afterEach(() => tf.disposeVariables());

  it('a classifier trains from a class-per-subfolder image folder (PNG + JPEG, 2 decode workers)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kiln-data-cls-'));
    await writeClassFolder(join(cwd, 'lesions'), 8);
    writeFileSync(join(cwd, 'run.yaml'), [
      'name: cls', 'backend: wasm', TRAINER,
      'data: { name: folder, root: lesions, imageSize: 32, batchSize: 4, augment: light, normalize: imagenet, workers: 2, split: { method: stratified, valFraction: 0.25 } }',
      'model: { name: cnn-baseline, filters: 8, units: 16 }', 'loss: cross-entropy', 'metrics: [accuracy]',
    ].join('\n'));
    const r = await kiln(['train', '--config', 'run.yaml'], cwd);
    expect(r.code, `${r.err}\n${r.out}`).toBe(0);
    expect(r.err).toMatch(/\(12 train \/ 4 val samples/); // 16 images, stratified 25 % validation
    expectRunFiles(join(cwd, 'runs', 'cls'), 'folder', 'val_accuracy');
    const out = JSON.parse(readFileSync(join(cwd, 'runs', 'cls', 'model', 'model.json'), 'utf8')).modelTopology.config.layers.at(-1).config;
    expect(out).toMatchObject({ units: 2, activation: 'softmax' }); // disk, square
  });

  it('a UNet trains from image and mask folders matched by name', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kiln-data-seg-'));
    await writeSegmentationFolders(join(cwd, 'seg'), 10);
    writeFileSync(join(cwd, 'run.yaml'), [
      'name: seg', 'backend: wasm', TRAINER,
      'data: { name: segmentation, images: seg/images, masks: seg/masks, mask: { mode: binary }, imageSize: 32, batchSize: 4, augment: light, split: { valFraction: 0.2 } }',
      'model: { name: unet, depth: 2, baseFilters: 4 }', 'loss: bce-dice', 'metrics: [dice]',
    ].join('\n'));
    const r = await kiln(['train', '--config', 'run.yaml'], cwd);
    expect(r.code, `${r.err}\n${r.out}`).toBe(0);
    expect(r.err).toMatch(/\(8 train \/ 2 val samples/);
    expectRunFiles(join(cwd, 'runs', 'seg'), 'segmentation', 'val_dice');
    expect(existsSync(join(cwd, 'runs', 'seg', 'bad-samples.json'))).toBe(false);
  });
});

describe('a corrupt image in the folder (e2e)', () => {
  afterEach(() => tf.disposeVariables());

  async function setup(): Promise<{ cwd: string; broken: string }> {
    const cwd = mkdtempSync(join(tmpdir(), 'kiln-data-bad-'));
    await writeClassFolder(join(cwd, 'lesions'), 4);
    const broken = join(cwd, 'lesions', 'square', 'scan-07.jpg');
    const good = await jpeg(draw('square', 7).rgb);
    writeFileSync(broken, Buffer.concat([Buffer.from('not a jpeg: '), good.subarray(0, 64)])); // garbage where the header should be
    return { cwd, broken };
  }

  const config = (extra: string): string => [
    'name: bad', 'backend: wasm', TRAINER,
    `data: { name: folder, root: lesions, imageSize: 32, batchSize: 4, split: { valFraction: 0.25 }${extra} }`,
    'model: { name: cnn-baseline, filters: 4, units: 8 }', 'loss: cross-entropy', 'metrics: [accuracy]',
  ].join('\n');

  it('stops with exit 2 and KILN_DATA_DECODE naming the file, before a run directory exists', async () => {
    const { cwd, broken } = await setup();
    writeFileSync(join(cwd, 'run.yaml'), config(''));
    const r = await kiln(['train', '--config', 'run.yaml'], cwd);
    expect(r.code, `${r.err}\n${r.out}`).toBe(2);
    expect(r.err).toMatch(/KILN_DATA_DECODE/);
    expect(r.err).toContain(broken);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace without --verbose
    expect(existsSync(join(cwd, 'runs'))).toBe(false);
  });

  it('a JPEG cut short passes the header check, then stops the run while decoding: exit 2 naming the file', async () => {
    const { cwd } = await setup();
    const cut = join(cwd, 'lesions', 'disk', 'disk-1.jpg');
    const whole = readFileSync(cut);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.4)));
    writeFileSync(join(cwd, 'lesions', 'square', 'scan-07.jpg'), await jpeg(draw('square', 7).rgb)); // only the cut file is bad
    writeFileSync(join(cwd, 'run.yaml'), config(''));
    const r = await kiln(['train', '--config', 'run.yaml'], cwd);
    expect(r.code, `${r.err}\n${r.out}`).toBe(2);
    expect(r.err).toMatch(/KILN_DATA_DECODE/);
    expect(r.err).toContain(cut);
    expect(r.err).toMatch(/run: .*\(7 train \/ 2 val samples/); // indexed fine: it failed once training read it
  });

  it('with onBadSample: skip the run completes and bad-samples.json lists the file', async () => {
    const { cwd, broken } = await setup();
    writeFileSync(join(cwd, 'run.yaml'), config(', onBadSample: skip'));
    const r = await kiln(['train', '--config', 'run.yaml'], cwd);
    expect(r.code, `${r.err}\n${r.out}`).toBe(0);
    const run = join(cwd, 'runs', 'bad');
    expect(r.err).toMatch(/skipped 1 bad sample\(s\) \(onBadSample: skip\)/);
    expect(r.err).toMatch(/\(6 train \/ 2 val samples/); // the 8 readable images
    const report = JSON.parse(readFileSync(join(run, 'bad-samples.json'), 'utf8')) as { count: number; skipped: { code: string; file: string; message: string }[] };
    // Listed once, although the train and validation datasets share the source's list of bad samples.
    expect(report.count).toBe(1);
    expect(report.skipped).toEqual([expect.objectContaining({ code: 'KILN_DATA_DECODE', file: broken })]);
    expectRunFiles(run, 'folder', 'val_accuracy');
  });
});
