import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's BackendWasm that JS kernels use (it is not typed as such by tfjs-core). */
export interface WasmBackendLike extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: tf.DataId): void;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array; wasmMemory?: { buffer: ArrayBufferLike }; asm?: { memory?: unknown } };
}

export type HeapArray = Float32Array | Int32Array | Uint8Array;

/**
 * A view of a tensor's data in the wasm heap. Views die when the heap grows, so take them after
 * every allocation (`makeOutput`) a kernel does and never keep them across kernels.
 */
export function heap(backend: WasmBackendLike, info: tf.TensorInfo): HeapArray {
  const buffer = backend.wasm.wasmMemory?.buffer ?? backend.wasm.HEAPU8.buffer;
  const offset = offsetOf(backend, info);
  const size = tf.util.sizeFromShape(info.shape);
  switch (info.dtype) {
    case 'float32': return new Float32Array(buffer, offset, size);
    case 'int32': return new Int32Array(buffer, offset, size);
    case 'bool': return new Uint8Array(buffer, offset, size);
    default: throw new Error(`wasm heap view: unsupported dtype ${info.dtype}`);
  }
}

/** The whole heap as float32 plus the element offset of `info` in it (for copyWithin between tensors). */
export function heapSpan(backend: WasmBackendLike, info: tf.TensorInfo): { all: Float32Array; at: number } {
  const buffer = backend.wasm.wasmMemory?.buffer ?? backend.wasm.HEAPU8.buffer;
  return { all: new Float32Array(buffer), at: offsetOf(backend, info) >>> 2 };
}

/** Byte offset of a tensor's data in the wasm memory (what Kiln's SIMD kernels take). */
export function offsetOf(backend: WasmBackendLike, info: { dataId: object }): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

/** Float32 heap view (the caller guarantees the dtype). */
export function heapF32(backend: WasmBackendLike, info: tf.TensorInfo): Float32Array {
  return heap(backend, info) as Float32Array;
}

/** Wraps a fresh kernel output (refCount 1) as a tracked Tensor: dispose it or return it from a tidy. */
export function wrap<R extends tf.Rank = tf.Rank>(info: tf.TensorInfo): tf.Tensor<R> {
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}

/** The active backend as a wasm backend (kernels registered for 'wasm' only run on it). */
export function wasmBackend(backend?: unknown): WasmBackendLike {
  return (backend ?? tf.engine().backend) as WasmBackendLike;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}
