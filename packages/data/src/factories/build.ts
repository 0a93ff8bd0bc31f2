import { KilnError } from '@kiln/core-trainer';
import { resolveAugment } from '../augment/augment.js';
import { DataErrorCodes } from '../errors.js';
import { IMAGENET_STATS } from '../image/transforms.js';
import { computeNormalization } from '../inspect/stats.js';
import { ImageDataset } from '../pipeline/image-dataset.js';
import type { ImageRecord, PipelineConfig } from '../pipeline/pipeline.js';
import { DecodePool } from '../pool/pool.js';
import { BadSampleCollector } from '../sources/bad-samples.js';
import { verifyRecords } from '../sources/verify.js';
import { groupSplitIndices, kFoldIndices } from '../splits/grouped.js';
import { assertNoLeakage, checkLeakage } from '../splits/leakage.js';
import { randomSplitIndices, type SplitIndices } from '../splits/random-split.js';
import { stratifiedSplitIndices, stratifiedSubsample } from '../splits/stratified.js';
import type { ImageOptions } from './options.js';

export interface SourceRecords {
  readonly train: readonly ImageRecord[];
  /** An explicit validation set (val folder, split column); otherwise one is split off `train`. */
  readonly val?: readonly ImageRecord[];
  readonly task: PipelineConfig['task'];
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly mask?: PipelineConfig['mask'];
}

function splitRecords(records: readonly ImageRecord[], o: ImageOptions, seed: number, classification: boolean): SplitIndices {
  const s = o.split;
  const labels = records.map((r) => r.label ?? 0);
  const hasGroups = records.some((r) => r.group !== undefined);
  const groups = records.map((r) => r.group ?? `\u0000${r.path}`);
  if (s.method === 'kfold') return kFoldIndices(records.length, s.k, s.fold, seed, hasGroups ? { groups } : classification ? { labels } : {});
  const method = s.method !== 'auto' ? s.method : hasGroups ? 'grouped' : classification ? 'stratified' : 'random';
  if (method === 'grouped') return groupSplitIndices(groups, s.valFraction, seed);
  if (method === 'stratified') return stratifiedSplitIndices(labels, s.valFraction, seed);
  return randomSplitIndices(records.length, s.valFraction, seed);
}

/**
 * Turns a source's records into train/validation ImageDatasets: verifies the files (bad samples
 * per `onBadSample`), splits (or checks an explicit split for group leakage and duplicates),
 * subsamples, computes normalisation and starts the worker pool.
 */
export async function buildImageDatasets(src: SourceRecords, o: ImageOptions, runSeed: number,
  bad = new BadSampleCollector(o.onBadSample)): Promise<{ train: ImageDataset; val?: ImageDataset }> {
  const seed = o.seed ?? runSeed;
  const [height, width] = typeof o.imageSize === 'number' ? [o.imageSize, o.imageSize] : o.imageSize;
  const base: PipelineConfig = { task: src.task, height, width, channels: o.channels, fit: o.fit, numClasses: src.numClasses, mask: src.mask };
  let train = await verifyRecords(src.train, o.verify, bad, base);
  let val: ImageRecord[];
  if (src.val) {
    val = await verifyRecords(src.val, o.verify, bad, base);
    const report = await checkLeakage({ train, val });
    assertNoLeakage({ ...report, duplicates: [] });
    const dup = new Set(report.duplicates.flatMap((d) => d.files));
    for (const f of dup) {
      bad.report(new KilnError(DataErrorCodes.DUPLICATE, `File '${f}' is in both the training and the validation split. Remove it from one.`, { details: { file: f } }));
    }
    val = val.filter((r) => !dup.has(r.path));
  } else {
    const s = splitRecords(train, o, o.split.seed ?? seed, src.task === 'classification');
    val = s.val.map((i) => train[i]);
    train = s.train.map((i) => train[i]);
    assertNoLeakage(await checkLeakage({ train, val }));
  }
  if (o.subsample !== undefined && o.subsample < 1) {
    const keep = src.task === 'classification'
      ? stratifiedSubsample(train.map((r) => r.label ?? 0), o.subsample, seed)
      : randomSplitIndices(train.length, 1 - o.subsample, seed).train;
    train = keep.map((i) => train[i]);
  }
  if (train.length === 0) throw new KilnError(DataErrorCodes.EMPTY, 'The training split has no samples left after checks and splitting.', { details: {} });
  const pool = o.workers > 0 ? new DecodePool(o.workers) : undefined;
  const dsOptions = { pool, cache: o.cache, seed, badSamples: bad.items, classNames: src.classNames };
  let normalize: PipelineConfig['normalize'];
  if (o.normalize === 'imagenet') normalize = o.channels === 3 ? IMAGENET_STATS : { mean: [0.449], std: [0.226] };
  else if (o.normalize === 'dataset') normalize = await computeNormalization(new ImageDataset(train, base, { pool }), 256, seed);
  else if (typeof o.normalize === 'object') normalize = o.normalize;
  const cfg = { ...base, normalize };
  return {
    train: new ImageDataset(train, { ...cfg, augment: resolveAugment(o.augment) }, dsOptions),
    val: val.length ? new ImageDataset(val, cfg, dsOptions) : undefined,
  };
}
