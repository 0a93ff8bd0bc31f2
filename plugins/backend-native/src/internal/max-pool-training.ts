import * as tf from '@tensorflow/tfjs-core';
import { MAX_POOL_TRAIN, MAX_POOL_TRAIN_GRAD } from '@kiln/core-trainer';
import { type NodeBackend, hasOneDnnPooling, poolAttrs } from './tf-ops.js';

/**
 * Kiln's max-pool training kernels (contract in @kiln/core-trainer, `routeMaxPoolTraining`) on the
 * 'tensorflow' backend: oneDNN's `_MklNativeMaxPool` forward keeps its workspace, and
 * `_MklNativeMaxPoolGrad` uses it, so the gradient no longer re-runs the forward. The workspace is
 * uint8 (tfjs-node labels it int32); it is only handed back to TensorFlow, never read.
 */

type PoolAttrs = { filterSize: [number, number]; strides: [number, number]; pad: 'valid' | 'same' };

const forwardKernel: tf.KernelConfig = {
  kernelName: MAX_POOL_TRAIN,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x } = inputs as Record<string, tf.TensorInfo>;
    const a = attrs as unknown as PoolAttrs;
    const b = backend as unknown as NodeBackend;
    return b.executeMultipleOutputs('_MklNativeMaxPool', poolAttrs(b, a.filterSize, a.strides, a.pad), [x!], 2);
  },
};

const gradKernel: tf.KernelConfig = {
  kernelName: MAX_POOL_TRAIN_GRAD,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, x, y, workspace } = inputs as Record<string, tf.TensorInfo>;
    const a = attrs as unknown as PoolAttrs;
    const b = backend as unknown as NodeBackend;
    return b.executeMultipleOutputs('_MklNativeMaxPoolGrad', poolAttrs(b, a.filterSize, a.strides, a.pad), [x!, y!, dy!, workspace!], 1)[0]!;
  },
};

/**
 * Registers both kernels for 'tensorflow' where TensorFlow has oneDNN pooling (idempotent; call
 * with the backend active). Elsewhere nothing is registered and max pooling keeps tfjs-node's path.
 * @returns whether the kernels are registered
 */
export function registerNativeMaxPoolTraining(): boolean {
  if (!hasOneDnnPooling()) return false;
  for (const k of [forwardKernel, gradKernel]) if (!tf.getKernel(k.kernelName, 'tensorflow')) tf.registerKernel(k);
  return true;
}
