import * as tf from '@tensorflow/tfjs-core';

// The contract implemented for 'cpu' with plain tfjs ops (the textbook formulas), so the routing,
// the gradient plumbing and the moving averages can be checked against tfjs-layers' own path.
const eps = (attrs: unknown) => (attrs as { epsilon: number }).epsilon;
export const forward: tf.KernelFunc = ({ inputs, attrs }) => tf.tidy(() => {
  const { x, scale, offset } = inputs as unknown as Record<string, tf.Tensor4D>;
  const { mean, variance } = tf.moments(x!, [0, 1, 2]);
  const inv = tf.rsqrt(tf.add(variance, eps(attrs)));
  const y = tf.add(tf.mul(tf.mul(tf.sub(x!, mean), inv), scale!), offset!);
  return [y, mean, variance, tf.clone(mean), inv, tf.zeros([1])];
}) as unknown as tf.TensorInfo[];
export const backward: tf.KernelFunc = ({ inputs }) => tf.tidy(() => {
  const { dy, x, scale, r1, r2 } = inputs as unknown as Record<string, tf.Tensor>;
  const xhat = tf.mul(tf.sub(x!, r1!), r2!);
  const n = x!.size / x!.shape[3]!;
  const sDy = tf.sum(dy!, [0, 1, 2]);
  const sDyXhat = tf.sum(tf.mul(dy!, xhat), [0, 1, 2]);
  const dx = tf.mul(tf.mul(scale!, r2!), tf.sub(tf.sub(dy!, tf.div(sDy, n)), tf.mul(xhat, tf.div(sDyXhat, n))));
  return [dx, sDyXhat, sDy];
}) as unknown as tf.TensorInfo[];

// The batch norm + ReLU contract on 'cpu' the same way: y = relu(bn(x)); the gradient masks dy by y > 0.
export const forwardRelu: tf.KernelFunc = (args) => {
  const [y, ...rest] = forward(args) as unknown as tf.Tensor[];
  const out = tf.relu(y!);
  y!.dispose();
  return [out, ...rest] as unknown as tf.TensorInfo[];
};
export const backwardRelu: tf.KernelFunc = (args) => {
  const { dy, y } = args.inputs as unknown as Record<string, tf.Tensor>;
  const masked = tf.mul(dy!, tf.cast(tf.greater(y!, 0), 'float32'));
  const out = backward({ ...args, inputs: { ...args.inputs, dy: masked } });
  masked.dispose();
  return out;
};
