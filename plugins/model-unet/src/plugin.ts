import { definePlugin } from '@kiln/core-trainer';
import { unetClassicFactory, unetFactory } from './factory.js';

/**
 * The model-unet plugin: registers the models `unet` (small default) and `unet-classic`.
 * @example host.use(modelUnetPlugin); // config: model: { name: unet, depth: 4 }
 */
export const modelUnetPlugin = definePlugin({
  name: 'model-unet',
  version: '0.1.0',
  setup(ctx) {
    ctx.models.register('unet', unetFactory);
    ctx.models.register('unet-classic', unetClassicFactory);
  },
});
