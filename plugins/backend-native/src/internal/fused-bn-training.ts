import * as tf from '@tensorflow/tfjs-core';
import { FUSED_BN_RELU_TRAIN, FUSED_BN_RELU_TRAIN_GRAD, FUSED_BN_TRAIN, FUSED_BN_TRAIN_GRAD } from '@kiln/core-trainer';
import { type NodeBackend, batchNormAttrs, tfSupports } from './tf-ops.js';

/**
 * Kiln's fused training batch norm kernels (contract in @kiln/core-trainer, `routeBatchNormTraining`)
 * on the 'tensorflow' backend: TensorFlow's own `FusedBatchNormV3` (is_training) forward and
 * `FusedBatchNormGradV3` backward, the two ops Keras runs for the same layer. The reserve tensors
 * are TensorFlow's reserve spaces, handed back to the gradient untouched. Where TensorFlow has
 * oneDNN, the batch norm + ReLU contract runs `_MklNativeFusedBatchNormEx` (activation Relu) forward,
 * and `ReluGrad` + `FusedBatchNormGradV3` backward.
 */

/** oneDNN's batch norm with a fused ReLU (what grappler's remapper makes of FusedBatchNormV3 + Relu). */
const reluAttrs = (b: NodeBackend): unknown[] => [
  { name: 'activation_mode', type: b.binding.TF_ATTR_STRING, value: 'Relu' },
  { name: 'num_side_inputs', type: b.binding.TF_ATTR_INT, value: 0 },
  { name: '_kernel', type: b.binding.TF_ATTR_STRING, value: 'MklNameChangeOp' },
];

/** The forward of both contracts: FusedBatchNormV3, or oneDNN's fused batch norm + ReLU. */
const forwardKernelFunc = (relu: boolean): tf.KernelFunc => ({ inputs, attrs, backend }) => {
  const { x, scale, offset } = inputs as Record<string, tf.TensorInfo>;
  const b = backend as unknown as NodeBackend;
  const epsilon = (attrs as { epsilon: number }).epsilon;
  // Training mode takes no population statistics: mean and variance inputs are empty.
  const empty = tf.tensor1d([], 'float32');
  const [y, mean, unbiased, r1, r2, r3] = relu
    ? b.executeMultipleOutputs('_MklNativeFusedBatchNormEx', [...batchNormAttrs(b, epsilon, true), ...reluAttrs(b)], [x!, scale!, offset!, empty, empty], 6)
    : b.executeMultipleOutputs('FusedBatchNormV3', batchNormAttrs(b, epsilon, true), [x!, scale!, offset!, empty, empty], 6);
  empty.dispose();
  // FusedBatchNormV3 returns the Bessel-corrected variance; tfjs-layers (and Keras 3) move the
  // moving variance towards the biased one.
  const n = x!.shape[0]! * x!.shape[1]! * x!.shape[2]!;
  const biased = tf.mul(unbiased!, n > 1 ? (n - 1) / n : 1);
  unbiased!.dispose();
  return [y!, mean!, biased, r1!, r2!, r3!];
};

const forwardKernel: tf.KernelConfig = { kernelName: FUSED_BN_TRAIN, backendName: 'tensorflow', kernelFunc: forwardKernelFunc(false) };
const forwardReluKernel: tf.KernelConfig = { kernelName: FUSED_BN_RELU_TRAIN, backendName: 'tensorflow', kernelFunc: forwardKernelFunc(true) };

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

/** The batch norm + ReLU gradient: TensorFlow's ReluGrad on y, then FusedBatchNormGradV3 (no fused CPU op exists). */
const gradReluKernel: tf.KernelConfig = {
  kernelName: FUSED_BN_RELU_TRAIN_GRAD,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, y, x, scale, r1, r2, r3 } = inputs as Record<string, tf.TensorInfo>;
    const b = backend as unknown as NodeBackend;
    const [masked] = b.executeMultipleOutputs('ReluGrad', [{ name: 'T', type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_FLOAT }], [dy!, y!], 1);
    const [dx, dscale, doffset, u1, u2] = b.executeMultipleOutputs('FusedBatchNormGradV3',
      batchNormAttrs(b, (attrs as { epsilon: number }).epsilon, true), [masked!, x!, scale!, r1!, r2!, r3!], 5);
    tf.dispose([masked!, u1!, u2!]);
    return [dx!, dscale!, doffset!];
  },
};

/**
 * Registers the batch norm + ReLU kernels where TensorFlow has oneDNN's fused batch norm + ReLU
 * (one trial run with the backend active; idempotent). Returns whether they are registered.
 */
export function registerNativeFusedBatchNormRelu(): boolean {
  const ok = tfSupports('_MklNativeFusedBatchNormEx', () => {
    const b = tf.engine().backend as unknown as NodeBackend;
    const empty = tf.tensor1d([], 'float32');
    tf.dispose(b.executeMultipleOutputs('_MklNativeFusedBatchNormEx', [...batchNormAttrs(b, 1e-3, true), ...reluAttrs(b)],
      [tf.ones([1, 2, 2, 1]), tf.ones([1]), tf.zeros([1]), empty, empty], 6));
  });
  if (ok) for (const k of [forwardReluKernel, gradReluKernel]) if (!tf.getKernel(k.kernelName, 'tensorflow')) tf.registerKernel(k);
  return ok;
}

/** Registers both kernels for 'tensorflow' (idempotent). */
export function registerNativeFusedBatchNorm(): void {
  for (const k of [forwardKernel, gradKernel]) if (!tf.getKernel(k.kernelName, 'tensorflow')) tf.registerKernel(k);
}
