import { z } from 'zod';
import { augmentSchema } from '../augment/augment.js';

const int = z.number().int();

/** How the validation split is made when a source has no explicit one. */
export const splitSchema = z.strictObject({
  method: z.enum(['auto', 'random', 'stratified', 'grouped', 'kfold']).default('auto')
    .describe('auto = grouped when samples have groups, else stratified for classification, else random'),
  valFraction: z.number().gt(0).lt(1).default(0.2),
  k: int.min(2).default(5).describe('folds (method: kfold)'),
  fold: int.min(0).default(0).describe('which fold is validation (method: kfold)'),
  seed: int.optional().describe('default: the dataset seed'),
});

/** Mask encoding for segmentation sources. */
export const maskFormatSchema = z.strictObject({
  mode: z.enum(['binary', 'index', 'palette']).default('binary'),
  numClasses: int.min(1).max(256).optional().describe('classes incl. background; binary: 1; palette: the palette length'),
  palette: z.array(z.tuple([int.min(0).max(255), int.min(0).max(255), int.min(0).max(255)])).min(2).optional(),
});

/** Options shared by the image-file sources (folder, manifest, segmentation). */
export const imageOptions = {
  imageSize: z.union([int.min(8).max(4096), z.tuple([int.min(8).max(4096), int.min(8).max(4096)])]).default(224)
    .describe('side, or [height, width]'),
  channels: z.union([z.literal(1), z.literal(3)]).default(3),
  fit: z.enum(['stretch', 'letterbox', 'crop']).default('stretch'),
  normalize: z.union([z.enum(['none', 'imagenet', 'dataset']), z.strictObject({ mean: z.array(z.number()).min(1), std: z.array(z.number().positive()).min(1) })])
    .default('none').describe("'dataset' = per-channel mean/std of (up to 256 images of) the training split"),
  augment: augmentSchema.default('none').describe('preset (none | light | medium | heavy) or an augmentation config; training split only'),
  split: splitSchema.default({ method: 'auto', valFraction: 0.2, k: 5, fold: 0 }),
  subsample: z.number().gt(0).max(1).optional().describe('keep this fraction of the training split (stratified for classification)'),
  workers: int.min(0).max(64).default(0).describe('decode/augment worker threads; 0 = main thread'),
  cache: z.boolean().default(false).describe('keep decoded, resized images in memory'),
  onBadSample: z.enum(['error', 'skip']).default('error'),
  verify: z.enum(['none', 'header', 'decode']).default('header').describe('how much of each file is read while indexing'),
  seed: int.optional().describe("default: the run's seed"),
};

const imageObject = z.strictObject(imageOptions);
export type ImageOptions = z.output<typeof imageObject>;
