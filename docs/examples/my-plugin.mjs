// An example third-party Kiln plugin, loaded by path from a run config:
//   plugins: ['./my-plugin.mjs']
//   model: { name: tiny-seg, filters: 8 }
// It registers a model factory 'tiny-seg': a two-layer fully convolutional segmenter.
import { definePlugin } from '@kiln/core-trainer';
import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';

const options = z.object({
  filters: z.number().int().min(1).max(256).default(8),
}).strict();

export default definePlugin({
  name: 'example-tiny-seg',
  version: '1.0.0',
  setup(ctx) {
    ctx.models.register('tiny-seg', {
      schema: options,
      description: 'two 3×3 convolutions and a per-pixel output (sigmoid for 1 class, softmax otherwise)',
      create(o, { inputShape, numClasses }) {
        const input = tfl.input({ shape: [...inputShape] });
        let x = tfl.layers.conv2d({ filters: o.filters, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input);
        x = tfl.layers.conv2d({ filters: o.filters, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
        const out = tfl.layers.conv2d({ filters: numClasses, kernelSize: 1, activation: numClasses === 1 ? 'sigmoid' : 'softmax' }).apply(x);
        return tfl.model({ inputs: input, outputs: out, name: 'tiny_seg' });
      },
    });
  },
});
