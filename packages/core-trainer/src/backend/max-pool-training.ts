import * as tf from '@tensorflow/tfjs-core';
import { patchCall, recordingTape, singleInput } from './layers-routing.js';

/**
 * Max pooling that keeps its backend's workspace for the gradient, for backends that provide it.
 *
 * Some max-pool gradients (oneDNN's) need a workspace the forward pass computes (where each
 * maximum came from). tfjs's `MaxPool` kernel has one output, so such a backend must re-run the
 * forward inside the gradient. A backend plugin can register two kernels instead, and
 * `routeMaxPoolTraining` sends tfjs-layers' MaxPooling2D to them while a gradient tape is
 * recording and the active backend has both. Inference, other backends and layers that are not
 * float32 NHWC with 'same'/'valid' padding keep tfjs-layers' own code.
 *
 * Kernel contracts (attrs `filterSize: [h, w]`, `strides: [h, w]`, `pad: 'same' | 'valid'` on both):
 * - `KilnMaxPoolTraining`: input `x` [N,H,W,C] float32 → `[y, workspace]`; `y` is what `tf.maxPool`
 *   gives; `workspace` is the backend's own and only goes to the gradient.
 * - `KilnMaxPoolTrainingGrad`: inputs `dy`, `x`, `y`, `workspace` → `dx`.
 * The workspace lives exactly as long as the tape keeps the saved tensors.
 */

export const MAX_POOL_TRAIN = 'KilnMaxPoolTraining';
export const MAX_POOL_TRAIN_GRAD = 'KilnMaxPoolTrainingGrad';

const gradient: tf.GradConfig = {
  kernelName: MAX_POOL_TRAIN,
  inputsToSave: ['x'],
  outputsToSave: [true, true],
  gradFunc: (dy, saved, attrs) => {
    const [x, y, workspace] = saved as tf.Tensor[];
    const dyY = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
    return { x: () => tf.engine().runKernel(MAX_POOL_TRAIN_GRAD, { dy: dyY, x: x!, y: y!, workspace: workspace! }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor };
  },
};

/** True when the active backend registered both max-pool training kernels. */
export function hasMaxPoolTraining(backend = tf.getBackend()): boolean {
  return tf.getKernel(MAX_POOL_TRAIN, backend) !== undefined && tf.getKernel(MAX_POOL_TRAIN_GRAD, backend) !== undefined;
}

/** The fields of a tfjs-layers MaxPooling2D layer the routed path reads. */
interface PoolLayer {
  poolSize: [number, number];
  strides: [number, number];
  padding: string;
  dataFormat: string;
}

/**
 * Registers the kernels' gradient and routes tfjs-layers' MaxPooling2D as described above.
 * Idempotent; backend plugins call it when they activate.
 * @param layers the `@tensorflow/tfjs-layers` module whose models should use it.
 */
export function routeMaxPoolTraining(layers: { layers: { maxPooling2d(args: object): unknown } }): void {
  if (!tf.getGradient(MAX_POOL_TRAIN)) tf.registerGradient(gradient);
  patchCall<PoolLayer>(Object.getPrototypeOf(layers.layers.maxPooling2d({ poolSize: 2 })), '__kilnMaxPoolTraining', (original) =>
    function routedCall(inputs, kwargs) {
      const x = singleInput(inputs);
      const eligible = recordingTape() !== undefined && x !== undefined && x.rank === 4 && x.dtype === 'float32' &&
        this.dataFormat === 'channelsLast' && (this.padding === 'same' || this.padding === 'valid') && hasMaxPoolTraining();
      if (!eligible) return original.call(this, inputs, kwargs);
      return tf.tidy(() => {
        const [y] = tf.engine().runKernel(MAX_POOL_TRAIN, { x: x! },
          { filterSize: [...this.poolSize], strides: [...this.strides], pad: this.padding }) as tf.Tensor[];
        return y!;
      });
    });
}
