import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-node's NodeJSKernelBackend the fixes use. */
interface NodeBackendLike {
  executeSingleInput(op: string, x: tf.TensorInfo): tf.TensorInfo;
  buckets(data: tf.Tensor, bucketCount?: number): tf.Tensor;
  isUsingGpuDevice?: boolean;
  isGPUPackage?: boolean;
  binding?: { TF_Version?: string };
  __kilnFixed?: boolean;
}

/** The 'tensorflow' backend instance, when tfjs-node registered it. */
export function nodeBackend(): NodeBackendLike | undefined {
  try {
    return tf.engine().findBackend('tensorflow') as unknown as NodeBackendLike | undefined;
  } catch {
    return undefined;
  }
}

/**
 * `Round` on the 'tensorflow' backend. TF ≥ 2.19 returns zeros for int32 input (tfjs-node 4.22 was
 * built for TF 2.9); rounding an integer is the identity, so int32 goes through `Identity`.
 */
const roundKernel: tf.KernelConfig = {
  kernelName: tf.Round,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend }) => {
    const x = (inputs as { x: tf.TensorInfo }).x;
    const b = backend as unknown as NodeBackendLike;
    return b.executeSingleInput(x.dtype === 'int32' ? 'Identity' : 'Round', x);
  },
};

/**
 * `Step` (the ReLU gradient's mask) on 'tensorflow': tfjs-node builds it from seven ops with two
 * full-size fills; `Sign(Relu(x))` is the same function (NaN stays NaN) in two TensorFlow ops.
 */
const stepKernel: tf.KernelConfig = {
  kernelName: tf.Step,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const x = (inputs as { x: tf.TensorInfo }).x;
    const alpha = (attrs as { alpha?: number }).alpha ?? 0;
    const b = backend as unknown as NodeBackendLike;
    const relu = b.executeSingleInput('Relu', x) as unknown as tf.Tensor;
    const sign = b.executeSingleInput('Sign', relu) as unknown as tf.Tensor;
    relu.dispose();
    if (alpha === 0) return sign;
    const out = tf.tidy(() => tf.add(tf.mul(sign, 1 - alpha), alpha));
    sign.dispose();
    return out;
  },
};

/**
 * Histogram buckets of a constant tensor: tfjs-node concatenates three scalars, which TF 2.21's
 * ConcatOp rejects. A constant tensor gets the same single bucket built with `stack`; any other
 * tensor goes to tfjs-node's own code.
 */
function fixBuckets(b: NodeBackendLike): void {
  const original = b.buckets.bind(b);
  b.buckets = (data: tf.Tensor, bucketCount?: number): tf.Tensor => {
    if (data.size > 0) {
      const range = tf.tidy(() => {
        const flat = tf.cast(tf.reshape(data, [-1]), 'float32');
        return tf.stack([tf.min(flat), tf.max(flat)]);
      });
      const [min, max] = range.dataSync();
      range.dispose();
      if (min === max) return tf.tensor2d([[min - 0.5, min + 0.5, data.size]], [1, 3], 'float32');
    }
    return original(data, bucketCount);
  };
}

/**
 * Re-registers the kernels that TF 2.21 breaks for tfjs-node 4.22 (int32 `Round`), replaces the slow
 * `Step` kernel, and patches the histogram bucketing of the 'tensorflow' backend. Idempotent; call after tfjs-node is loaded.
 * Returns the names of what it fixed.
 * @example require('@tensorflow/tfjs-node'); applyTf221Fixes(); // ['Round', 'Step', 'histogram buckets']
 */
export function applyTf221Fixes(): string[] {
  const b = nodeBackend();
  if (!b || b.__kilnFixed) return [];
  for (const k of [roundKernel, stepKernel]) {
    if (tf.getKernel(k.kernelName, 'tensorflow')) tf.unregisterKernel(k.kernelName, 'tensorflow');
    tf.registerKernel(k);
  }
  fixBuckets(b);
  b.__kilnFixed = true;
  return ['Round', 'Step', 'histogram buckets'];
}
