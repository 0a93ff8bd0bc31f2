import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/*
 * tfjs-backend-wasm 4.22 can run its multithreaded build in Node, but three things stop it:
 * 1. the WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired to false when IS_NODE;
 * 2. the pthread worker script is handed to emscripten as a Blob URL, which Node's worker_threads
 *    cannot load, and the worker then evaluates the module factory from a Blob with importScripts
 *    (a file read) and without the bundle's module-scope helpers (require$$0…, commonjsGlobal);
 * 3. XNNPACK's thread pool is capped at (logical cores / 2), i.e. 1 thread on a 2-core machine.
 * Here: the flag is set; the worker script is taken from the bundle, patched to evaluate the
 * factory Blob's text with those helpers defined, written to a temp file, and handed out by a
 * URL.createObjectURL shim while the backend initialises; os.cpus() reports 2 × threads cores
 * during initialisation only; the pthread workers are unref'd so they do not keep Node alive.
 */
const require = createRequire(import.meta.url);
const NEEDLE = 'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}WasmBackendModuleThreadedSimd(Module)';
const REPLACEMENT = 'Object.assign(global,{commonjsGlobal:global,require$$0:require("fs"),require$$1:require("path"),require$$3:require("perf_hooks"),require$$4:require("os")});' +
  'Promise.resolve(typeof e.data.urlOrBlob=="string"?require("fs").readFileSync(e.data.urlOrBlob,"utf8"):e.data.urlOrBlob.text()).then(function(s){(0,eval)(s);WasmBackendModuleThreadedSimd(Module)})';

/** Writes the patched pthread worker script (once per content) and returns its path, or why it cannot. */
export function prepareWorkerScript(): { path: string } | { reason: string } {
  if (typeof SharedArrayBuffer !== 'function') return { reason: 'SharedArrayBuffer is not available in this Node' };
  let bundle: string;
  try {
    bundle = readFileSync(require.resolve('@tensorflow/tfjs-backend-wasm'), 'utf8');
  } catch (e) {
    return { reason: `cannot read the tfjs-backend-wasm bundle (${(e as Error).message})` };
  }
  const m = /var wasmWorkerContents = ("(?:[^"\\]|\\.)*");/.exec(bundle);
  if (!m) return { reason: 'this tfjs-backend-wasm version has no embedded pthread worker script (Kiln supports 4.22)' };
  const worker = JSON.parse(m[1]) as string;
  if (!worker.includes(NEEDLE)) return { reason: 'this tfjs-backend-wasm version loads its pthread workers differently (Kiln supports 4.22)' };
  const text = worker.replace(NEEDLE, () => REPLACEMENT).replace(/\n/g, '\\n');
  const path = join(os.tmpdir(), `kiln-tfjs-wasm-worker-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.cjs`);
  if (!existsSync(path)) writeFileSync(path, text);
  return { path };
}

interface PThreadLike { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] }

/** Runs `init` (which must call tf.setBackend('wasm')) with the multithreaded build enabled for `threads` threads. */
export async function initThreaded(threads: number, workerPath: string, setThreadsCount: (n: number) => void, init: () => Promise<boolean>): Promise<boolean> {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  const createObjectURL = URL.createObjectURL, cpus = os.cpus;
  URL.createObjectURL = (obj: Blob | unknown) => ((obj as Blob)?.type === 'application/javascript' ? workerPath : createObjectURL(obj as Blob));
  const cores = cpus();
  os.cpus = () => Array.from({ length: Math.max(cores.length, 2 * threads) }, (_, i) => cores[i % cores.length]);
  try {
    return await init();
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
    const pthread = (tf.findBackend('wasm') as unknown as { wasm?: { PThread?: PThreadLike } } | null)?.wasm?.PThread;
    for (const w of [...(pthread?.runningWorkers ?? []), ...(pthread?.unusedWorkers ?? [])]) w.unref();
  }
}

/** Drops an initialised wasm backend so the next tf.setBackend('wasm') builds a new one (e.g. with other threads). */
export function resetWasmBackend(): void {
  const engine = tf.engine() as unknown as { registry: Record<string, unknown>; registryFactory: Record<string, { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number }> };
  const entry = engine.registryFactory['wasm'];
  if (!entry || !engine.registry['wasm']) return;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', entry.factory, entry.priority);
}
