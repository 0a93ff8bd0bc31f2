import { definePlugin } from '@kiln/core-trainer';
import { nativeBackend } from './provider.js';

/**
 * The `backend-native` plugin: registers the `native-gpu` (@tensorflow/tfjs-node-gpu, priority 40)
 * and `native` (@tensorflow/tfjs-node, priority 30) backends. Neither package is imported until a
 * backend is activated.
 * @example host.use(backendNativePlugin); await host.setup(); await host.registries.backends.get('native').probe()
 */
export const backendNativePlugin = definePlugin({
  name: 'backend-native',
  version: '0.1.0',
  setup(ctx) {
    ctx.backends.register('native-gpu', nativeBackend('gpu'));
    ctx.backends.register('native', nativeBackend('cpu'));
  },
});
