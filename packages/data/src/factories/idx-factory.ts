import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type DatasetFactory, KilnError } from '@kiln/core-trainer';
import { z } from 'zod';
import { DataErrorCodes } from '../errors.js';
import { createIdxDataset, FASHION_MNIST_CLASSES } from '../sources/idx.js';
import { randomSplit } from '../splits/random-split.js';

/**
 * Options of the 'idx' source.
 * @example idxSchema.parse({ dir: '/usr/share/datasets/fashion-mnist', classNames: 'fashion-mnist', limit: 5000 })
 */
export const idxSchema = z.strictObject({
  dir: z.string().optional().describe('folder with train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz] and t10k-* (validation)'),
  images: z.string().optional(),
  labels: z.string().optional(),
  valImages: z.string().optional(),
  valLabels: z.string().optional(),
  valFraction: z.number().gt(0).lt(1).default(0.1).describe('split off the training files when there are no validation files'),
  limit: z.number().int().positive().optional().describe('use only the first N training samples'),
  valLimit: z.number().int().positive().optional(),
  imageSize: z.number().int().min(8).max(1024).optional().describe('resize (bilinear); default native 28'),
  classNames: z.union([z.literal('fashion-mnist'), z.array(z.string()).min(2)]).optional(),
  seed: z.number().int().optional(),
});
export type IdxFactoryOptions = z.output<typeof idxSchema>;

function find(dir: string, stem: string): string | undefined {
  return [join(dir, stem), join(dir, `${stem}.gz`)].find((p) => existsSync(p));
}

/**
 * 'idx': MNIST-format IDX files (MNIST, Fashion-MNIST), in memory, x [h, w, 1] in [0, 1]; validation from t10k-* files or a random split.
 * @example await idxFactory.create(idxSchema.parse({ dir: '/usr/share/datasets/fashion-mnist' }), { seed: 1, cwd: '.' });
 */
export const idxFactory: DatasetFactory<IdxFactoryOptions> = {
  schema: idxSchema,
  description: 'MNIST-style IDX files (e.g. Fashion-MNIST from Debian dataset-fashion-mnist: dir /usr/share/datasets/fashion-mnist).',
  async create(o, ctx) {
    const dir = o.dir && resolve(ctx.cwd, o.dir);
    const at = (p: string | undefined, stem: string): string | undefined => (p ? resolve(ctx.cwd, p) : dir ? find(dir, stem) : undefined);
    const images = at(o.images, 'train-images-idx3-ubyte');
    const labels = at(o.labels, 'train-labels-idx1-ubyte');
    if (!images || !labels) {
      throw new KilnError(DataErrorCodes.MISSING_FILE, `IDX source needs 'images' and 'labels' files, or a 'dir' holding train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]${dir ? ` (not found in '${dir}')` : ''}.`,
        { details: { option: dir ? 'dir' : 'images', file: dir } });
    }
    const classNames = o.classNames === 'fashion-mnist' ? FASHION_MNIST_CLASSES : o.classNames;
    const common = { imageSize: o.imageSize, classNames };
    const train = await createIdxDataset({ images, labels, limit: o.limit, ...common });
    const valImages = at(o.valImages, 't10k-images-idx3-ubyte');
    const valLabels = at(o.valLabels, 't10k-labels-idx1-ubyte');
    if (valImages && valLabels) return { train, val: await createIdxDataset({ images: valImages, labels: valLabels, limit: o.valLimit, ...common }) };
    const split = randomSplit(train, o.valFraction, o.seed ?? ctx.seed);
    return { train: split.train, val: split.val };
  },
};
