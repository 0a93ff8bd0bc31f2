import * as tf from '@tensorflow/tfjs-core';
import { type NodeBackend, batchNormAttrs, hasOneDnnPooling, poolAttrs } from './tf-ops.js';

/**
 * Faster gradients on the 'tensorflow' backend. Gradients are registered per kernel for every
 * backend at once, so each override checks the active backend and hands any other backend to the
 * gradient that was registered before (tfjs-core's, or another plugin's).
 *
 * - FusedBatchNorm: tfjs-core's composite (~11 full-size ops and a Tile) becomes one TensorFlow
 *   `FusedBatchNormGradV2` (is_training=false: mean and variance as inputs) for dx, dscale, doffset;
 *   dmean and dvariance follow from those per channel: dmean = −doffset·scale·rsqrt(v+ε),
 *   dvar = −½·scale·dscale/(v+ε). The batch-statistics path still flows through `moments`.
 * - Mean / Sum: `dy` broadcast with one Tile instead of Fill(ones) + Mul (+ RealDiv).
 * - Relu / Relu6: TensorFlow's `ReluGrad` / `Relu6Grad` (one op) instead of dy · step(x).
 * - MaxPool ('valid' / 'same' padding): oneDNN's max-pool gradient, about twice as fast as the Eigen
 *   `MaxPoolGrad` that eager TensorFlow runs (graph-mode TensorFlow, as Keras uses it, rewrites to
 *   oneDNN itself). oneDNN needs the forward's workspace, so the gradient re-runs the oneDNN forward
 *   (cheaper than the difference). The workspace is uint8, a type tfjs has no name for: it is only
 *   handed back to TensorFlow and disposed, never read. Used only where TensorFlow was built with
 *   oneDNN (x86-64 Linux wheels are), found by one trial run; elsewhere tfjs-node's kernel runs.
 */

const KILN_BN_GRAD = 'KilnFusedBatchNormGrad';

const bnGradKernel: tf.KernelConfig = {
  kernelName: KILN_BN_GRAD,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, x, scale, mean, variance } = inputs as Record<string, tf.TensorInfo>;
    const b = backend as unknown as NodeBackend;
    // is_training=false: mean and variance are inputs, not batch statistics.
    const out = b.executeMultipleOutputs('FusedBatchNormGradV2', batchNormAttrs(b, (attrs as { epsilon: number }).epsilon, false), [dy!, x!, scale!, mean!, variance!], 5);
    tf.dispose(out.slice(3));
    return out.slice(0, 3);
  },
};

/** `ReluGrad` / `Relu6Grad` (gradients, features) as kernels of the 'tensorflow' backend. */
const activationGradKernel = (op: 'ReluGrad' | 'Relu6Grad'): tf.KernelConfig => ({
  kernelName: `Kiln${op}`,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend }) => {
    const { dy, x } = inputs as Record<string, tf.TensorInfo>;
    const b = backend as unknown as NodeBackend;
    return b.executeMultipleOutputs(op, [{ name: 'T', type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_FLOAT }], [dy, x], 1)[0];
  },
});

function activationGrad(kernelName: string, op: 'ReluGrad' | 'Relu6Grad') {
  return (original: tf.GradConfig): tf.GradConfig => ({
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      if (!onNative() || x.dtype !== 'float32') return original.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(`Kiln${op}`, { dy: dy as tf.Tensor, x }, {}) as tf.Tensor };
    },
  });
}

const onNative = (): boolean => tf.getBackend() === 'tensorflow';

function override(kernelName: string, make: (original: tf.GradConfig) => tf.GradConfig): void {
  const original = tf.getGradient(kernelName);
  if (!original || (original as { kiln?: boolean }).kiln) return;
  tf.unregisterGradient(kernelName);
  tf.registerGradient({ ...make(original), kiln: true } as tf.GradConfig);
}

function batchNormGrad(original: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: tf.FusedBatchNorm,
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved;
      const d = dy as tf.Tensor;
      if (!onNative() || x.rank !== 4 || mean.rank !== 1 || variance.rank !== 1 || (scale && scale.rank !== 1) ||
        x.dtype !== 'float32' || mean.shape[0] !== x.shape[3]) {
        return original.gradFunc(dy, saved, attrs);
      }
      const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
      const s = scale ?? tf.onesLike(mean);
      // Computed here, not lazily: backprop runs each input's closure in its own tidy, which would
      // dispose the other two outputs of the fused op.
      const [dx, dscale, doffset] = tf.engine().runKernel(KILN_BN_GRAD, { dy: d, x, scale: s, mean, variance }, { epsilon: eps }) as tf.Tensor[];
      return {
        x: () => dx,
        scale: () => dscale,
        offset: () => doffset,
        mean: () => tf.mul(tf.neg(doffset), tf.mul(s, tf.rsqrt(tf.add(variance, eps)))),
        variance: () => tf.mul(tf.mul(dscale, s), tf.div(-0.5, tf.add(variance, eps))),
      };
    },
  };
}

function reduceGrad(kernelName: string, divide: boolean) {
  return (original: tf.GradConfig): tf.GradConfig => ({
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      if (!onNative() || x.dtype !== 'float32') return original.gradFunc(dy, saved, attrs);
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const kept = x.shape.map((n, i) => (axes.includes(i) ? 1 : n));
      const count = axes.reduce((p, a) => p * x.shape[a], 1);
      return {
        x: () => {
          const small = tf.reshape(dy as tf.Tensor, kept);
          return tf.tile(divide ? tf.div(small, count) : small, x.shape.map((n, i) => (axes.includes(i) ? n : 1)));
        },
      };
    },
  });
}

/** dx of a max-pool through oneDNN; undefined when this TensorFlow has no oneDNN pooling. */
function oneDnnMaxPoolGrad(dy: tf.Tensor, x: tf.Tensor, y: tf.Tensor, filter: [number, number], strides: [number, number], pad: 'valid' | 'same'): tf.Tensor | undefined {
  if (!hasOneDnnPooling()) return undefined;
  const b = tf.engine().backend as unknown as NodeBackend;
  const attrs = poolAttrs(b, filter, strides, pad);
  const [y2, workspace] = b.executeMultipleOutputs('_MklNativeMaxPool', attrs, [x], 2);
  y2!.dispose();
  const [dx] = b.executeMultipleOutputs('_MklNativeMaxPoolGrad', attrs, [x, y, dy, workspace!], 1);
  workspace!.dispose();
  return dx!;
}

const pair = (v: number | [number, number]): [number, number] => (Array.isArray(v) ? v : [v, v]);

function maxPoolGrad(original: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: tf.MaxPool,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, y] = saved;
      const a = attrs as { filterSize: number | [number, number]; strides: number | [number, number]; pad: unknown; dimRoundingMode?: string };
      if (!onNative() || x.rank !== 4 || x.dtype !== 'float32' || (a.pad !== 'valid' && a.pad !== 'same') || a.dimRoundingMode != null) {
        return original.gradFunc(dy, saved, attrs);
      }
      const dx = oneDnnMaxPoolGrad(dy as tf.Tensor, x, y, pair(a.filterSize), pair(a.strides), a.pad);
      return dx ? { x: () => dx } : original.gradFunc(dy, saved, attrs);
    },
  };
}

/** Registers the kernel and gradient overrides above (idempotent). Returns their names. */
export function registerFastGradients(): string[] {
  for (const k of [bnGradKernel, activationGradKernel('ReluGrad'), activationGradKernel('Relu6Grad')]) {
    if (!tf.getKernel(k.kernelName, 'tensorflow')) tf.registerKernel(k);
  }
  override(tf.FusedBatchNorm, batchNormGrad);
  override(tf.Mean, reduceGrad(tf.Mean, true));
  override(tf.Sum, reduceGrad(tf.Sum, false));
  override(tf.Relu, activationGrad(tf.Relu, 'ReluGrad'));
  override(tf.Relu6, activationGrad(tf.Relu6, 'Relu6Grad'));
  override(tf.MaxPool, maxPoolGrad);
  return ['FusedBatchNorm grad', 'Mean grad', 'Sum grad', 'Relu grad', 'Relu6 grad', 'MaxPool grad'];
}
