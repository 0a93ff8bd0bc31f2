import * as tf from '@tensorflow/tfjs-core';

/**
 * Fused training batch normalisation, for backends that provide it.
 *
 * tfjs-layers' BatchNormalization computes batch statistics with `moments` and then normalises,
 * so backprop runs about a dozen full-size ops per layer. A backend plugin can register two
 * kernels instead, and `routeBatchNormTraining` sends training-mode layers to them whenever the
 * active backend has both. Other backends, inference, and layers that are not float32 NHWC with
 * the last axis normalised keep tfjs-layers' own code.
 *
 * Kernel contracts (attr `epsilon` on both):
 * - `KilnFusedBatchNormTraining`: inputs `x` [N,H,W,C] float32, `scale` [C], `offset` [C] →
 *   outputs `[y, batchMean, batchVariance (biased, as moments gives), r1, r2, r3]`. The three
 *   reserve tensors are the backend's own (e.g. mean and inverse std) and only go to the gradient.
 * - `KilnFusedBatchNormTrainingGrad`: inputs `dy`, `x`, `scale`, `r1`, `r2`, `r3` →
 *   `[dx, dscale, doffset]` for the batch-statistics normalisation.
 * Gradients flow to x, scale and offset through y; batchMean and batchVariance are constants
 * (the layer only moves its moving averages towards them, which is assignment, not differentiated).
 */

export const FUSED_BN_TRAIN = 'KilnFusedBatchNormTraining';
export const FUSED_BN_TRAIN_GRAD = 'KilnFusedBatchNormTrainingGrad';

const gradient: tf.GradConfig = {
  kernelName: FUSED_BN_TRAIN,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, false, false, true, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [x, scale, r1, r2, r3] = saved as tf.Tensor[];
    const dyY = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
    // Computed here, not lazily: backprop runs each input's closure in its own tidy, which would
    // dispose the other two outputs of the fused kernel.
    const [dx, dscale, doffset] = tf.engine().runKernel(FUSED_BN_TRAIN_GRAD,
      { dy: dyY, x: x!, scale: scale!, r1: r1!, r2: r2!, r3: r3! }, { epsilon: (attrs as { epsilon: number }).epsilon }) as tf.Tensor[];
    return { x: () => dx!, scale: () => dscale!, offset: () => doffset! };
  },
};

/** True when the active backend registered both fused batch-norm kernels. */
export function hasFusedBatchNormTraining(backend = tf.getBackend()): boolean {
  return tf.getKernel(FUSED_BN_TRAIN, backend) !== undefined && tf.getKernel(FUSED_BN_TRAIN_GRAD, backend) !== undefined;
}

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
 * Registers the fused kernels' gradient and routes tfjs-layers' BatchNormalization in training
 * to the fused kernels on any backend that has them (see the contract above). Idempotent; backend
 * plugins call it when they activate.
 * @param layers the `@tensorflow/tfjs-layers` module whose models should use it.
 * @example registerKernel(myForward); registerKernel(myGrad); routeBatchNormTraining(await import('@tensorflow/tfjs-layers'));
 */
export function routeBatchNormTraining(layers: { layers: { batchNormalization(args: object): unknown } }): void {
  if (!tf.getGradient(FUSED_BN_TRAIN)) tf.registerGradient(gradient);
  const proto = Object.getPrototypeOf(layers.layers.batchNormalization({})) as BatchNormLayer;
  if (proto.__kilnFusedCall) return;
  const original = proto.call;
  proto.call = function fusedCall(this: BatchNormLayer, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const eligible = kwargs?.['training'] === true && x !== undefined && (!Array.isArray(inputs) || inputs.length === 1) &&
      x.rank === 4 && x.dtype === 'float32' && (this.axis === -1 || this.axis === 3) && hasFusedBatchNormTraining();
    if (!eligible) return original.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const channels = x.shape[3]!;
      const scale = this.gamma ? this.gamma.read() : tf.ones([channels]);
      const offset = this.beta ? this.beta.read() : tf.zeros([channels]);
      const [y, mean, variance] = tf.engine().runKernel(FUSED_BN_TRAIN, { x, scale, offset }, { epsilon: this.epsilon }) as tf.Tensor[];
      moveAverage(this.movingMean, mean!, this.momentum);
      moveAverage(this.movingVariance, variance!, this.momentum);
      return y!;
    });
  };
  proto.__kilnFusedCall = true;
}
