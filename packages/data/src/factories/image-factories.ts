import { resolve } from 'node:path';
import type { DatasetFactory } from '@kiln/core-trainer';
import { z } from 'zod';
import { KilnError } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';
import type { MaskFormat } from '../image/mask.js';
import { BadSampleCollector } from '../sources/bad-samples.js';
import { scanImageFolder } from '../sources/folder.js';
import { readManifest } from '../sources/manifest.js';
import { scanSegmentationPairs } from '../sources/segmentation-pairs.js';
import { buildImageDatasets } from './build.js';
import { imageOptions, maskFormatSchema } from './options.js';

/**
 * Options of the 'folder' source: one subfolder per class.
 * @example folderSchema.parse({ root: 'data/train', imageSize: 224, augment: 'light' })
 */
export const folderSchema = z.strictObject({
  root: z.string().min(1).describe('folder with one subfolder of images per class'),
  valRoot: z.string().min(1).optional().describe('a separate validation folder of the same layout; default: split off root'),
  classes: z.array(z.string()).min(2).optional().describe('class names and order; default: the subfolder names, sorted'),
  ...imageOptions,
});

/**
 * Options of the 'manifest' source: a CSV/JSON file of paths and labels.
 * @example manifestSchema.parse({ file: 'HAM10000_metadata.csv', pathColumn: 'image_id', extension: '.jpg', labelColumn: 'dx', groupColumn: 'lesion_id' })
 */
export const manifestSchema = z.strictObject({
  file: z.string().min(1),
  imageRoot: z.string().optional(),
  pathColumn: z.string().default('path'),
  extension: z.string().optional(),
  labelColumn: z.string().optional(),
  labelColumns: z.array(z.string()).min(1).optional(),
  groupColumn: z.string().optional(),
  splitColumn: z.string().optional().describe("rows with 'train' / 'val' (or 'valid', 'validation') keep that split; others are left out"),
  maskColumn: z.string().optional(),
  mask: maskFormatSchema.optional(),
  classes: z.array(z.string()).min(2).optional(),
  uncertain: z.enum(['ignore', 'zero', 'one']).default('ignore').describe('multi-label value -1: keep as -1 (ignored by a masked loss), or 0 / 1'),
  blank: z.enum(['zero', 'ignore']).default('zero'),
  ...imageOptions,
});

/**
 * Options of the 'segmentation' source: image and mask folders matched by name.
 * @example segmentationSchema.parse({ images: 'img', masks: 'masks', maskSuffix: '_mask', mask: { mode: 'index', numClasses: 4 } })
 */
export const segmentationSchema = z.strictObject({
  images: z.string().min(1),
  masks: z.string().min(1),
  valImages: z.string().min(1).optional(),
  valMasks: z.string().min(1).optional(),
  maskSuffix: z.string().default('').describe("mask name = image name + suffix, e.g. '_mask'"),
  mask: maskFormatSchema.default({ mode: 'binary' }),
  ...imageOptions,
});

function maskFormat(m: z.output<typeof maskFormatSchema>): MaskFormat & { numClasses: number } {
  const numClasses = m.mode === 'binary' ? 1 : m.mode === 'palette' ? (m.palette?.length ?? 0) : (m.numClasses ?? 0);
  if ((m.mode === 'index' && numClasses < 2) || (m.mode === 'palette' && !m.palette)) {
    throw new KilnError(DataErrorCodes.INVALID_OPTION, m.mode === 'index' ? "Option 'mask.numClasses' is required (≥ 2, background included) for index masks."
      : "Option 'mask.palette' is required for palette masks: one [r, g, b] per class, background first.", { details: { option: 'mask' } });
  }
  return { mode: m.mode, numClasses, palette: m.palette };
}

const under = (cwd: string, p: string): string => resolve(cwd, p);

/**
 * 'folder': classification from an image folder (split off a validation set unless `valRoot`).
 * @example const { train, val } = await folderFactory.create(folderSchema.parse({ root: 'data' }), { seed: 1, cwd: '.' });
 */
export const folderFactory: DatasetFactory<z.output<typeof folderSchema>> = {
  schema: folderSchema,
  description: 'Image folder with one subfolder per class (PNG/JPEG).',
  async create(o, ctx) {
    const bad = new BadSampleCollector(o.onBadSample);
    const t = await scanImageFolder(under(ctx.cwd, o.root), bad, o.classes);
    const v = o.valRoot ? await scanImageFolder(under(ctx.cwd, o.valRoot), bad, t.classNames) : undefined;
    const ds = await buildImageDatasets({ train: t.records, val: v?.records, task: 'classification', numClasses: t.classNames.length, classNames: t.classNames }, o, ctx.seed, bad);
    return ds;
  },
};

/**
 * 'manifest': classification, multi-label or segmentation from a CSV/JSON manifest; a split column is kept and checked for leakage.
 * @example await manifestFactory.create(manifestSchema.parse({ file: 'labels.csv', labelColumns: ['Edema', 'Effusion'] }), { seed: 1, cwd: '.' });
 */
export const manifestFactory: DatasetFactory<z.output<typeof manifestSchema>> = {
  schema: manifestSchema,
  description: 'CSV/JSON manifest of paths with a label column, label columns (multi-label) or a mask column; optional group and split columns.',
  async create(o, ctx) {
    const bad = new BadSampleCollector(o.onBadSample);
    const m = await readManifest({ ...o, file: under(ctx.cwd, o.file), imageRoot: o.imageRoot && under(ctx.cwd, o.imageRoot) }, bad);
    const mask = m.task === 'segmentation' ? maskFormat(o.mask ?? { mode: 'binary' }) : undefined;
    const isVal = (s: string): boolean => ['val', 'valid', 'validation'].includes(s.toLowerCase());
    const train = m.splits ? m.records.filter((_, i) => m.splits![i].toLowerCase() === 'train') : m.records;
    const val = m.splits ? m.records.filter((_, i) => isVal(m.splits![i])) : undefined;
    const numClasses = mask ? mask.numClasses : m.classNames.length;
    const classNames = mask ? Array.from({ length: numClasses }, (_, k) => String(k)) : m.classNames;
    return buildImageDatasets({ train, val, task: m.task, numClasses, classNames, mask }, o, ctx.seed, bad);
  },
};

/**
 * 'segmentation': image/mask folder pairs with binary, index or palette masks.
 * @example await segmentationFactory.create(segmentationSchema.parse({ images: 'img', masks: 'masks' }), { seed: 1, cwd: '.' });
 */
export const segmentationFactory: DatasetFactory<z.output<typeof segmentationSchema>> = {
  schema: segmentationSchema,
  description: 'Segmentation pairs: an image folder and a mask folder matched by file name (binary, index or palette masks).',
  async create(o, ctx) {
    const bad = new BadSampleCollector(o.onBadSample);
    const mask = maskFormat(o.mask);
    const train = await scanSegmentationPairs(under(ctx.cwd, o.images), under(ctx.cwd, o.masks), o.maskSuffix, bad);
    if ((o.valImages === undefined) !== (o.valMasks === undefined)) {
      throw new KilnError(DataErrorCodes.INVALID_OPTION, "Options 'valImages' and 'valMasks' go together: set both or neither.", { details: { option: 'valImages' } });
    }
    const val = o.valImages ? await scanSegmentationPairs(under(ctx.cwd, o.valImages), under(ctx.cwd, o.valMasks!), o.maskSuffix, bad) : undefined;
    const classNames = mask.numClasses === 1 ? ['foreground'] : Array.from({ length: mask.numClasses }, (_, k) => (k === 0 ? 'background' : String(k)));
    return buildImageDatasets({ train, val, task: 'segmentation', numClasses: mask.numClasses, classNames, mask }, o, ctx.seed, bad);
  },
};
