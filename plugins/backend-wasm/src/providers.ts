import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendInfo, type BackendProbe, type BackendProvider, KilnError } from '@kiln/core-trainer';
import { z } from 'zod';
import { WasmErrorCodes } from './errors.js';
import { importWasm, registerWasmTrainingKernels } from './kernels.js';
import { initThreaded, prepareWorkerScript, resetWasmBackend } from './internal/threads.js';

/** Options of the wasm backend (`backend: { name: wasm, threads: 2 }`). */
export const wasmBackendOptions = z.object({
  /**
   * Threads for the wasm build: 1 is the single-threaded SIMD build; more runs the multithreaded
   * build in Node (pthread workers; convolutions and matmuls use them, Kiln's JS kernels do not).
   */
  threads: z.number().int().min(1).max(64).default(1),
}).strict();
export type WasmBackendOptions = z.infer<typeof wasmBackendOptions>;

const require = createRequire(import.meta.url);

function resolvePackage(pkg: string): string | undefined {
  try {
    return require.resolve(pkg);
  } catch {
    return undefined;
  }
}

/**
 * The wasm backend (XNNPACK, SIMD) with Kiln's training kernels: portable and the default where
 * no native TensorFlow is installed. Priority 20 (native-gpu 40, native 30, cpu 10).
 * @example const info = await wasmBackend.activate(); // { name: 'wasm', tfBackend: 'wasm', device: 'wasm (1 thread, SIMD)' }
 */
export const wasmBackend: BackendProvider = Object.freeze({
  name: 'wasm',
  priority: 20,
  description: 'TensorFlow.js WebAssembly (XNNPACK) with Kiln training kernels',
  async probe(): Promise<BackendProbe> {
    if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object') return { ok: false, reason: 'WebAssembly is not available in this runtime', fix: 'Use Node >= 20 without --jitless' };
    const main = resolvePackage('@tensorflow/tfjs-backend-wasm');
    if (!main) return { ok: false, reason: '@tensorflow/tfjs-backend-wasm is not installed', fix: 'npm install @tensorflow/tfjs-backend-wasm@^4.22.0' };
    if (!existsSync(join(dirname(main), 'tfjs-backend-wasm-simd.wasm')) && !existsSync(join(dirname(main), 'tfjs-backend-wasm.wasm'))) {
      return { ok: false, reason: `no .wasm binary next to ${main}`, fix: 'npm install @tensorflow/tfjs-backend-wasm@^4.22.0 (reinstall)' };
    }
    return { ok: true, detail: main };
  },
  async activate(options: Record<string, unknown> = {}): Promise<BackendInfo> {
    const parsed = wasmBackendOptions.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new KilnError(WasmErrorCodes.WASM_OPTIONS_INVALID,
        `Invalid wasm backend option '${issue?.path.join('.') || '(root)'}': ${issue?.message}. Allowed: threads (integer >= 1).`,
        { details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } });
    }
    const { threads } = parsed.data;
    const wasm = await importWasm();
    await registerWasmTrainingKernels();
    const { actual, note } = await startWasm(wasm, threads);
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    if (note) console.warn(`[kiln] wasm backend: ${note}`);
    return { name: 'wasm', tfBackend: tf.getBackend(), device: `wasm (${actual} thread${actual === 1 ? '' : 's'}${simd ? ', SIMD' : ''})${note ? `; ${note}` : ''}` };
  },
});

type WasmModule = Awaited<ReturnType<typeof importWasm>>;

/** Selects the wasm backend with `threads` threads, falling back to one thread with a note saying why. */
async function startWasm(wasm: WasmModule, threads: number): Promise<{ actual: number; note?: string }> {
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
  if (engine.registry['wasm']) {
    // Tensors may live on the running instance, so it is kept (tfjs cannot move them to a new one).
    await setWasm();
    const actual = wasm.getThreadsCount();
    return actual === threads ? { actual } : { actual, note: `threads: ${threads} requested, but the wasm backend already runs with ${actual} in this process (restart to change it)` };
  }
  let note: string | undefined;
  let ok = false;
  if (threads > 1) {
    const worker = prepareWorkerScript();
    if ('reason' in worker) note = `threads: ${threads} unavailable (${worker.reason}); using 1 thread`;
    else {
      ok = await initThreaded(threads, worker.path, wasm.setThreadsCount, () => setWasm());
      if (!ok) {
        note = `threads: ${threads} unavailable (the multithreaded wasm build failed to start); using 1 thread`;
        resetWasmBackend();
      }
    }
  }
  if (!ok) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await setWasm())) throw new KilnError(WasmErrorCodes.WASM_INIT_FAILED, `The wasm backend failed to start (tf.setBackend('wasm') returned false). Use 'backend: cpu' as a fallback.`);
  }
  await tf.ready();
  const actual = wasm.getThreadsCount();
  if (!note && actual !== threads) note = `threads: ${threads} requested, the wasm build started ${actual}`;
  return { actual, note };
}

async function setWasm(): Promise<boolean> {
  try {
    return await tf.setBackend('wasm');
  } catch (cause) {
    throw new KilnError(WasmErrorCodes.WASM_INIT_FAILED, `The wasm backend failed to start: ${(cause as Error).message}. Use 'backend: cpu' as a fallback.`, { cause });
  }
}

/**
 * Pure-JS tfjs-backend-cpu: always works, very slow; the last resort under `backend: auto` (priority 10).
 * @example await cpuBackend.activate(); // tf.getBackend() === 'cpu'
 */
export const cpuBackend: BackendProvider = Object.freeze({
  name: 'cpu',
  priority: 10,
  description: 'TensorFlow.js pure-JavaScript CPU backend (slow, always available)',
  async probe(): Promise<BackendProbe> {
    return resolvePackage('@tensorflow/tfjs-backend-cpu')
      ? { ok: true }
      : { ok: false, reason: '@tensorflow/tfjs-backend-cpu is not installed', fix: 'npm install @tensorflow/tfjs-backend-cpu@^4.22.0' };
  },
  async activate(): Promise<BackendInfo> {
    try {
      await import('@tensorflow/tfjs-backend-cpu');
    } catch (cause) {
      throw new KilnError(WasmErrorCodes.CPU_UNAVAILABLE, `Cannot load @tensorflow/tfjs-backend-cpu (${(cause as Error).message}). Run: npm install @tensorflow/tfjs-backend-cpu@^4.22.0`, { cause });
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return { name: 'cpu', tfBackend: tf.getBackend(), device: 'CPU (pure JavaScript, 1 thread)' };
  },
});
