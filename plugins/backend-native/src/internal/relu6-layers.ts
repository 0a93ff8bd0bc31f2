import * as tf from '@tensorflow/tfjs-core';

/**
 * ReLU6 as one op on the 'tensorflow' backend.
 *
 * tfjs-layers computes `ReLU({ maxValue: 6 })` as relu then clipByValue, and the 'relu6' activation
 * as relu then minimum: two full-size ops forward and, through autodiff, about six backward (the
 * clip gradient alone is GreaterEqual, LessEqual, LogicalAnd, ZerosLike and Select). `tf.relu6` is
 * one `Relu6` forward and one `Relu6Grad` backward (see fast-grads.ts). Same forward values; the
 * gradient differs only at inputs exactly equal to 6, where TensorFlow's Relu6Grad passes nothing.
 */

interface ReluLayer {
  maxValue?: number | null;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor;
  __kilnRelu6?: boolean;
}

interface Relu6Activation {
  apply(x: tf.Tensor, alpha?: number): tf.Tensor;
  __kilnRelu6?: boolean;
}

const single = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | undefined =>
  Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;

/**
 * Routes tfjs-layers' `ReLU` layer with `maxValue: 6` and the `'relu6'` activation to `tf.relu6`
 * when the 'tensorflow' backend is active and the input is float32. Idempotent.
 * @param layers the `@tensorflow/tfjs-layers` module whose models should use it.
 */
export function registerRelu6Layers(layers: { layers: { reLU(args: object): unknown; activation(args: object): unknown } }): void {
  const reluProto = Object.getPrototypeOf(layers.layers.reLU({})) as ReluLayer;
  if (!reluProto.__kilnRelu6) {
    const original = reluProto.call;
    reluProto.call = function relu6Call(this: ReluLayer, inputs, kwargs) {
      const x = single(inputs);
      if (this.maxValue !== 6 || tf.getBackend() !== 'tensorflow' || !x || x.dtype !== 'float32') return original.call(this, inputs, kwargs);
      return tf.relu6(x);
    };
    reluProto.__kilnRelu6 = true;
  }
  const activationLayer = layers.layers.activation({ activation: 'relu6' }) as { activation: Relu6Activation };
  const actProto = Object.getPrototypeOf(activationLayer.activation) as Relu6Activation;
  if (!actProto.__kilnRelu6) {
    const original = actProto.apply;
    actProto.apply = function relu6Apply(this: Relu6Activation, x, alpha) {
      if (tf.getBackend() !== 'tensorflow' || x.dtype !== 'float32') return original.call(this, x, alpha);
      return tf.relu6(x);
    };
    actProto.__kilnRelu6 = true;
  }
}
