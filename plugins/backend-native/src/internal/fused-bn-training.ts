import * as tf from '@tensorflow/tfjs-core';
import { FUSED_BN_TRAIN, FUSED_BN_TRAIN_GRAD } from '@kiln/core-trainer';
import { type NodeBackend, batchNormAttrs } from './tf-ops.js';

/**
 * Kiln's fused training batch norm kernels (contract in @kiln/core-trainer, `routeBatchNormTraining`)
 * on the 'tensorflow' backend: TensorFlow's own `FusedBatchNormV3` (is_training) forward and
 * `FusedBatchNormGradV3` backward, the two ops Keras runs for the same layer. The reserve tensors
 * are TensorFlow's reserve spaces, handed back to the gradient untouched.
 */

const forwardKernel: tf.KernelConfig = {
  kernelName: FUSED_BN_TRAIN,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, scale, offset } = inputs as Record<string, tf.TensorInfo>;
    const b = backend as unknown as NodeBackend;
    // Training mode takes no population statistics: mean and variance inputs are empty.
    const empty = tf.tensor1d([], 'float32');
    const [y, mean, unbiased, r1, r2, r3] = b.executeMultipleOutputs('FusedBatchNormV3',
      batchNormAttrs(b, (attrs as { epsilon: number }).epsilon, true), [x!, scale!, offset!, empty, empty], 6);
    empty.dispose();
    // FusedBatchNormV3 returns the Bessel-corrected variance; tfjs-layers (and Keras 3) move the
    // moving variance towards the biased one.
    const n = x!.shape[0]! * x!.shape[1]! * x!.shape[2]!;
    const biased = tf.mul(unbiased!, n > 1 ? (n - 1) / n : 1);
    unbiased!.dispose();
    return [y!, mean!, biased, r1!, r2!, r3!];
  },
};

const gradKernel: tf.KernelConfig = {
  kernelName: FUSED_BN_TRAIN_GRAD,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, x, scale, r1, r2, r3 } = inputs as Record<string, tf.TensorInfo>;
    const b = backend as unknown as NodeBackend;
    const [dx, dscale, doffset, u1, u2] = b.executeMultipleOutputs('FusedBatchNormGradV3',
      batchNormAttrs(b, (attrs as { epsilon: number }).epsilon, true), [dy!, x!, scale!, r1!, r2!, r3!], 5);
    tf.dispose([u1!, u2!]);
    return [dx!, dscale!, doffset!];
  },
};

/** Registers both kernels for 'tensorflow' (idempotent). */
export function registerNativeFusedBatchNorm(): void {
  for (const k of [forwardKernel, gradKernel]) if (!tf.getKernel(k.kernelName, 'tensorflow')) tf.registerKernel(k);
}
