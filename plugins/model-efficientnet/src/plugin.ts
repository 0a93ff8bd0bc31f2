import { definePlugin } from '@kiln/core-trainer';
import { efficientNetFactory, efficientNetVariantFactory } from './factory.js';
import { registerEfficientNetLayers } from './normalization-layer.js';
import { EFFICIENTNET_VARIANTS, type EfficientNetVariantName } from './variants.js';

/**
 * The model-efficientnet plugin: registers `efficientnet` (option `variant`) and
 * `efficientnet-b0` … `efficientnet-b7`, and the custom `Normalization` layer for loading saved models.
 * @example host.use(modelEfficientNetPlugin); // config: model: { name: efficientnet-b0 }
 */
export const modelEfficientNetPlugin = definePlugin({
  name: 'model-efficientnet',
  version: '0.1.0',
  setup(ctx) {
    registerEfficientNetLayers();
    ctx.models.register('efficientnet', efficientNetFactory);
    for (const v of Object.keys(EFFICIENTNET_VARIANTS) as EfficientNetVariantName[]) {
      ctx.models.register(`efficientnet-${v}`, efficientNetVariantFactory(v));
    }
  },
});
