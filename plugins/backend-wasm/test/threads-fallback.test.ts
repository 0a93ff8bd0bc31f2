import { describe, expect, it, vi } from 'vitest';
import { wasmBackend } from '../src/index.js';

// Runs in its own vitest worker process. Without SharedArrayBuffer the multithreaded build cannot
// run; activation must fall back to one thread and say why.
describe('wasm threads fallback', () => {
  it('falls back to 1 thread with a message when threads are impossible', async () => {
    const sab = globalThis.SharedArrayBuffer;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      Reflect.deleteProperty(globalThis, 'SharedArrayBuffer');
      const info = await wasmBackend.activate({ threads: 2 });
      expect(info.device).toMatch(/^wasm \(1 thread, SIMD\); threads: 2 unavailable \(SharedArrayBuffer is not available in this Node\); using 1 thread$/);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/threads: 2 unavailable/));
    } finally {
      globalThis.SharedArrayBuffer = sab;
      warn.mockRestore();
    }
  });
});
