import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from '@kiln/core-trainer';
import { encodePng } from '../image/decode.js';
import type { BadSample } from '../sources/bad-samples.js';
import { checkLeakage, type LeakageItem, type LeakageReport } from '../splits/leakage.js';
import { balancedClassWeights, classCounts } from '../splits/stratified.js';
import { type EpochAwareDataset, isDescribed } from '../types.js';
import { overlayMask, tile, toDisplay } from './grid.js';
import { datasetLabels } from './stats.js';

export interface InspectOptions {
  /** The datasets to inspect by split name, e.g. `{ train, val }` from a DatasetFactory. */
  readonly splits: Readonly<Record<string, Dataset>>;
  /** Where to write `samples.png` (a grid of augmented samples of the first split); no file without it. */
  readonly outDir?: string;
  /** Samples in the grid (default 16) and columns (default 4); the epoch whose augmentation is shown (default 0). */
  readonly grid?: { readonly count?: number; readonly columns?: number; readonly epoch?: number };
  /** Also compare files by content (SHA-1) in the leakage check. */
  readonly content?: boolean;
}

export interface SplitSummary {
  readonly size: number;
  /** Samples per class name (segmentation: images containing the class; multilabel: positives). */
  readonly classCounts: Record<string, number>;
  /** Distinct stored image sizes with their counts, most common first. */
  readonly imageSizes: { readonly width: number; readonly height: number; readonly count: number }[];
  readonly groups?: number;
}

export interface InspectReport {
  readonly splits: Record<string, SplitSummary>;
  readonly leakage: LeakageReport;
  readonly badSamples: readonly BadSample[];
  /** Balanced class weights of the first split (classification with every class present). */
  readonly classWeights?: number[];
  readonly gridFile?: string;
}

/**
 * Describes a data configuration: counts per split and class, group/duplicate leakage between
 * splits, stored image sizes, skipped bad samples, and (with `outDir`) a PNG grid of augmented
 * training samples with masks overlaid.
 * @example const report = await inspectData({ splits: await factory.create(opts, ctx), outDir: 'runs/inspect' });
 */
export async function inspectData(o: InspectOptions): Promise<InspectReport> {
  const names = Object.keys(o.splits);
  const splits: Record<string, SplitSummary> = {};
  const items: Record<string, LeakageItem[]> = {};
  const bad = new Map<string, BadSample>();
  let firstLabels: (number | readonly number[])[] = [];
  for (const name of names) {
    const ds = o.splits[name];
    const labels = await datasetLabels(ds);
    if (name === names[0]) firstLabels = labels;
    const k = ds.spec.numClasses;
    const counts = ds.spec.task === 'segmentation'
      ? Array.from({ length: k }, (_, c) => labels.filter((l) => (l as number[]).includes(c)).length)
      : classCounts(labels, k);
    const classNames = ds.spec.classNames ?? counts.map((_, i) => String(i));
    const infos = Array.from({ length: ds.size }, (_, i) => (isDescribed(ds) ? ds.info(i) : undefined));
    const sizes = new Map<string, number>();
    for (const inf of infos) {
      const key = inf?.width ? `${inf.width}x${inf.height}` : `${ds.spec.inputShape[1]}x${ds.spec.inputShape[0]}`;
      sizes.set(key, (sizes.get(key) ?? 0) + 1);
    }
    const groups = new Set(infos.map((i) => i?.group).filter((g) => g !== undefined));
    splits[name] = {
      size: ds.size,
      classCounts: Object.fromEntries(counts.map((c, i) => [classNames[i] ?? String(i), c])),
      imageSizes: [...sizes].map(([s, count]) => ({ width: Number(s.split('x')[0]), height: Number(s.split('x')[1]), count })).sort((a, b) => b.count - a.count),
      groups: groups.size || undefined,
    };
    items[name] = infos.map((i) => ({ path: i?.path, group: i?.group }));
    for (const b of (ds as { badSamples?: readonly BadSample[] }).badSamples ?? []) bad.set(`${b.code}|${b.file}|${b.row}|${b.message}`, b);
  }
  const first = o.splits[names[0]];
  let classWeights: number[] | undefined;
  if (first.spec.task === 'classification' && new Set(firstLabels).size === first.spec.numClasses) {
    classWeights = balancedClassWeights(firstLabels as number[], first.spec.numClasses);
  }
  const gridFile = o.outDir ? await writeGrid(first, o.outDir, o.grid) : undefined;
  return { splits, leakage: await checkLeakage(items, { content: o.content }), badSamples: [...bad.values()], classWeights, gridFile };
}

async function writeGrid(ds: Dataset, dir: string, g: InspectOptions['grid'] = {}): Promise<string> {
  const [h, w, c] = ds.spec.inputShape;
  const n = Math.min(g.count ?? 16, ds.size);
  const tiles = [];
  for (let i = 0; i < n; i++) {
    const s = await (ds as EpochAwareDataset).get(i, { epoch: g.epoch ?? 0 });
    const img = toDisplay(s.x, h, w, c);
    tiles.push(ds.spec.task === 'segmentation' && typeof s.y !== 'number' ? overlayMask(img, s.y, ds.spec.numClasses === 1) : img);
  }
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'samples.png');
  await writeFile(file, await encodePng(tile(tiles, g.columns ?? 4)));
  return file;
}
