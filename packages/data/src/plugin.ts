import { definePlugin } from '@kiln/core-trainer';
import { idxFactory } from './factories/idx-factory.js';
import { folderFactory, manifestFactory, segmentationFactory } from './factories/image-factories.js';
import { shapesFactory } from './factories/shapes-factory.js';

/**
 * The data plugin: registers Kiln's dataset factories in `ctx.datasets` — 'shapes', 'folder',
 * 'manifest', 'segmentation' and 'idx', each with a zod schema for its options. Importing it
 * registers nothing; the host calls `setup`.
 * @example host.use(dataPlugin); await host.setup(); host.registries.datasets.get('folder');
 */
export const dataPlugin = definePlugin({
  name: 'data',
  version: '0.1.0',
  setup(ctx) {
    ctx.datasets.register('shapes', shapesFactory);
    ctx.datasets.register('folder', folderFactory);
    ctx.datasets.register('manifest', manifestFactory);
    ctx.datasets.register('segmentation', segmentationFactory);
    ctx.datasets.register('idx', idxFactory);
  },
});
