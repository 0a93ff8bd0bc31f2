import { definePlugin } from '@kiln/core-trainer';
import { baselineCnnFactory, cheXNetFactory, denseNetFactory, resNet50Factory } from './factories.js';

/**
 * The model-chexnet plugin: registers `chexnet`, `densenet` (+ `densenet121`, `densenet169`,
 * `densenet201`), `resnet50` and `cnn-baseline`.
 * @example host.use(modelCheXNetPlugin); // config: model: { name: chexnet }
 */
export const modelCheXNetPlugin = definePlugin({
  name: 'model-chexnet',
  version: '0.1.0',
  setup(ctx) {
    ctx.models.register('chexnet', cheXNetFactory);
    ctx.models.register('densenet', denseNetFactory());
    for (const v of [121, 169, 201] as const) ctx.models.register(`densenet${v}`, denseNetFactory(v));
    ctx.models.register('resnet50', resNet50Factory);
    ctx.models.register('cnn-baseline', baselineCnnFactory);
  },
});
