import * as tf from '@tensorflow/tfjs-core';

/**
 * Training-mode batch normalisation on the 'tensorflow' backend as TensorFlow's own fused ops.
 *
 * tfjs-layers' BatchNormalization computes batch statistics with `moments` (Mean, SquaredDifference,
 * Mean) and then normalises; backprop runs through all of those, about a dozen full-size ops per
 * layer. Here the forward pass is one `FusedBatchNormV3` (is_training) and the backward pass one
 * `FusedBatchNormGradV3`, the two ops Keras runs for the same layer.
 *
 * Contract of the kernel `KilnFusedBatchNormTraining` (inputs x [N,H,W,C] float32, scale [C],
 * offset [C]; attr epsilon): outputs [y, batchMean, batchVariance (biased, as `moments` gives),
 * and three reserve tensors for the gradient]. Gradients flow to x, scale and offset through y;
 * batchMean and batchVariance are treated as constants (the layer only feeds them to its moving
 * averages, which are assigned, not differentiated).
 */

export const KILN_BN_TRAIN = 'KilnFusedBatchNormTraining';

interface NodeBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_FLOAT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_FLOAT: number };
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: tf.TensorInfo[], n: number): tf.Tensor[];
}

function bnAttrs(b: NodeBackend, epsilon: number): unknown[] {
  const B = b.binding;
  return [
    { name: 'T', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
    { name: 'U', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
    { name: 'epsilon', type: B.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: B.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: B.TF_ATTR_BOOL, value: true },
  ];
}

const forwardKernel: tf.KernelConfig = {
  kernelName: KILN_BN_TRAIN,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, scale, offset } = inputs as Record<string, tf.TensorInfo>;
    const b = backend as unknown as NodeBackend;
    // Training mode takes no population statistics: mean and variance inputs are empty.
    const empty = tf.tensor1d([], 'float32');
    const [y, mean, unbiased, r1, r2, r3] = b.executeMultipleOutputs('FusedBatchNormV3',
      bnAttrs(b, (attrs as { epsilon: number }).epsilon), [x, scale, offset, empty, empty], 6);
    empty.dispose();
    // FusedBatchNormV3 returns the Bessel-corrected variance; tfjs-layers (and Keras 3) move the
    // moving variance towards the biased one.
    const n = x.shape[0]! * x.shape[1]! * x.shape[2]!;
    const biased = tf.mul(unbiased!, n > 1 ? (n - 1) / n : 1);
    unbiased!.dispose();
    return [y!, mean!, biased, r1!, r2!, r3!];
  },
};

const gradient: tf.GradConfig = {
  kernelName: KILN_BN_TRAIN,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, false, false, true, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [x, scale, r1, r2, r3] = saved as tf.Tensor[];
    const dyY = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
    const b = tf.engine().backend as unknown as NodeBackend;
    // Computed here, not lazily: backprop runs each input's closure in its own tidy, which would
    // dispose the other two outputs of the fused op.
    const [dx, dscale, doffset, u1, u2] = b.executeMultipleOutputs('FusedBatchNormGradV3',
      bnAttrs(b, (attrs as { epsilon: number }).epsilon), [dyY, x!, scale!, r1!, r2!, r3!], 5);
    tf.dispose([u1!, u2!]);
    return { x: () => dx!, scale: () => dscale!, offset: () => doffset! };
  },
};

/** The fields of a tfjs-layers BatchNormalization layer the fused path reads. */
interface BatchNormLayer {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma: { read(): tf.Tensor } | null;
  beta: { read(): tf.Tensor } | null;
  movingMean: { read(): tf.Tensor; write(v: tf.Tensor): void };
  movingVariance: { read(): tf.Tensor; write(v: tf.Tensor): void };
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor;
  __kilnFusedCall?: boolean;
}

/** Moves `variable` towards `value` as tfjs-layers does: v ← v − (v − value)·(1 − momentum). */
function moveAverage(variable: BatchNormLayer['movingMean'], value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const v = variable.read();
    variable.write(tf.sub(v, tf.mul(tf.sub(v, value), 1 - momentum)));
  });
}

/**
 * Registers the fused kernel and its gradient, and routes tfjs-layers' BatchNormalization through
 * them when the 'tensorflow' backend is active, the layer is training, the input is a float32
 * [N,H,W,C] tensor and the layer normalises the last axis. Everything else (inference, other
 * backends, other axes or ranks) runs tfjs-layers' own code. Idempotent.
 * @param layers the `@tensorflow/tfjs-layers` module whose models should use it.
 * @returns whether the layer class was patched.
 */
export function registerFusedBatchNormTraining(layers: { layers: { batchNormalization(args: object): unknown } }): boolean {
  if (!tf.getKernel(KILN_BN_TRAIN, 'tensorflow')) tf.registerKernel(forwardKernel);
  if (!tf.getGradient(KILN_BN_TRAIN)) tf.registerGradient(gradient);
  const proto = Object.getPrototypeOf(layers.layers.batchNormalization({})) as BatchNormLayer;
  if (proto.__kilnFusedCall) return true;
  const original = proto.call;
  proto.call = function fusedCall(this: BatchNormLayer, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const eligible = kwargs?.['training'] === true && tf.getBackend() === 'tensorflow' && x !== undefined &&
      (!Array.isArray(inputs) || inputs.length === 1) && x.rank === 4 && x.dtype === 'float32' &&
      (this.axis === -1 || this.axis === 3);
    if (!eligible) return original.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const channels = x.shape[3]!;
      const scale = this.gamma ? this.gamma.read() : tf.ones([channels]);
      const offset = this.beta ? this.beta.read() : tf.zeros([channels]);
      const [y, mean, variance] = tf.engine().runKernel(KILN_BN_TRAIN, { x, scale, offset }, { epsilon: this.epsilon }) as tf.Tensor[];
      moveAverage(this.movingMean, mean!, this.momentum);
      moveAverage(this.movingVariance, variance!, this.momentum);
      return y!;
    });
  };
  proto.__kilnFusedCall = true;
  return true;
}
