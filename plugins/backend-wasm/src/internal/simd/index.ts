import type { WasmBackendLike } from '../heap.js';
import { KILN_SIMD_PLAIN, KILN_SIMD_SHARED } from './kiln-simd.wasm.js';

/**
 * Kiln's SIMD kernels (kiln-simd.wat), instantiated on tfjs-wasm's own memory so they work on
 * tensors in place. Arguments are byte offsets into that memory; data is float32; the per-channel kernels need
 * c a multiple of 4 (callers check, and use their JS loops otherwise).
 */
export interface KilnSimd {
  /**
   * s1[j] += Σ a[r,j]; s2[j] += Σ a[r,j]·(b[r,j] − m[j]), or Σ a[r,j]² when b is −1 (s1, s2:
   * float64[c]). With mask (not −1), a[r,j] counts only where mask[r,j] > 0 (b must be given).
   */
  channelSums(a: number, b: number, m: number, mask: number, rows: number, c: number, s1: number, s2: number): void;
  /** out[r,j] = a'[r,j]·ka[j] + k0[j] (+ b[r,j]·kb[j] unless b is −1), a' masked as above; relu (1) zeroes negatives. */
  channelAffine(a: number, b: number, mask: number, out: number, rows: number, c: number, ka: number, kb: number, k0: number, relu: number): void;
  /** MaxPool gradient for 2×2 windows, stride 2, even sizes, first-maximum rule. */
  maxPool2x2Grad(x: number, dy: number, dx: number, nb: number, ih: number, iw: number, c: number): void;
  /** ReLU gradient over n floats: dy where x > 0, NaN where x is NaN, else 0. */
  reluGrad(dy: number, x: number, dx: number, n: number): void;
  /** dst[j, i] = src[i, j] for a float32 [rows, cols] matrix. */
  transpose2d(src: number, dst: number, rows: number, cols: number): void;
  /** One tap of the transposed im2col (layout.ts `im2colT`); any c. */
  im2colTap(src: number, dst: number, planes: number, h: number, w: number, oh: number, ow: number, sh: number, sw: number,
    dh: number, dw: number, qLo: number, qHi: number): void;
}

// The subset of the WebAssembly JS API used here (the workspace compiles without the DOM lib).
interface WasmMemory { readonly buffer: ArrayBufferLike }
declare const WebAssembly: {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

const instances = new WeakMap<WasmMemory, KilnSimd | null>();
let enabled = true;

/** Turns the SIMD kernels off or on (tests and benchmarks compare both paths). */
export function setSimdKernels(on: boolean): void {
  enabled = on;
}

/** The backend's wasm memory: the threaded build exports it as `wasmMemory`, the other as `asm.memory`. */
function memoryOf(backend: WasmBackendLike): WasmMemory | undefined {
  const m = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  return m instanceof WebAssembly.Memory ? m : undefined;
}

/** The SIMD kernels bound to this backend's memory; undefined when turned off or they cannot load here. */
export function simdFor(backend: WasmBackendLike): KilnSimd | undefined {
  if (!enabled) return undefined;
  const memory = memoryOf(backend);
  if (!memory) return undefined;
  let k = instances.get(memory);
  if (k === undefined) {
    try {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const bytes = Uint8Array.from(atob(shared ? KILN_SIMD_SHARED : KILN_SIMD_PLAIN), (ch) => ch.charCodeAt(0));
      k = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as KilnSimd;
    } catch {
      k = null; // no wasm SIMD in this runtime: the JS loops run
    }
    instances.set(memory, k);
  }
  return k ?? undefined;
}
