import { definePlugin } from '@kiln/core-trainer';
import { shapesFactory } from './factories/shapes-factory.js';

/**
 * The data plugin: registers Kiln's dataset factories in `ctx.datasets`
 * ('shapes'). Importing it registers nothing; the host calls `setup`.
 * @example host.use(dataPlugin); await host.setup(); host.registries.datasets.get('shapes');
 */
export const dataPlugin = definePlugin({
  name: 'data',
  version: '0.1.0',
  setup(ctx) {
    ctx.datasets.register('shapes', shapesFactory);
  },
});
