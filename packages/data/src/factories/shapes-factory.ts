import type { DatasetFactory } from '@kiln/core-trainer';
import { z } from 'zod';
import { createShapesDataset } from '../synthetic/shapes.js';

/**
 * Options of the 'shapes' source.
 * @example shapesSchema.parse({ task: 'classification', size: 512 })
 */
export const shapesSchema = z.strictObject({
  task: z.enum(['segmentation', 'classification']).default('segmentation'),
  size: z.number().int().positive().default(256),
  valSize: z.number().int().nonnegative().default(64),
  imageSize: z.number().int().min(8).max(1024).default(64),
  numClasses: z.number().int().min(1).max(6).optional(),
  seed: z.number().int().optional(),
  noise: z.number().min(0).max(1).optional(),
});
export type ShapesFactoryOptions = z.output<typeof shapesSchema>;

/**
 * 'shapes': the synthetic shapes set. Train is images 0…size−1 and validation images
 * size…size+valSize−1 of the stream of `seed` (default: the run's seed), so they never overlap.
 * @example const { train, val } = await shapesFactory.create(shapesSchema.parse({}), { seed: 1, cwd: '.' });
 */
export const shapesFactory: DatasetFactory<ShapesFactoryOptions> = {
  schema: shapesSchema,
  description: 'Synthetic noisy images with circles, squares, triangles… (classification or segmentation masks).',
  async create(o, context) {
    const base = { task: o.task, imageSize: o.imageSize, seed: o.seed ?? context.seed, numClasses: o.numClasses, noise: o.noise };
    const train = createShapesDataset({ ...base, size: o.size });
    const val = o.valSize > 0 ? createShapesDataset({ ...base, size: o.valSize, startIndex: o.size }) : undefined;
    return { train, val };
  },
};
