import { definePlugin } from '@kiln/core-trainer';
import { cpuBackend, wasmBackend } from './providers.js';

/**
 * Registers the backends `wasm` (with Kiln's training kernels) and `cpu`.
 * @example host.use(backendWasmPlugin); await host.setup(); await host.registries.backends.get('wasm').activate();
 */
export const backendWasmPlugin = definePlugin({
  name: 'backend-wasm',
  version: '0.1.0',
  setup(ctx) {
    ctx.backends.register('wasm', wasmBackend);
    ctx.backends.register('cpu', cpuBackend);
  },
});
