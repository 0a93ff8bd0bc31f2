import * as tf from '@tensorflow/tfjs-core';
import { patchCall, singleInput } from './layers-routing.js';

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
 *
 * Batch norm followed by ReLU (optional, same attrs):
 * - `KilnFusedBatchNormReluTraining`: as `KilnFusedBatchNormTraining`, with `y` = relu(normalised x).
 * - `KilnFusedBatchNormReluTrainingGrad`: inputs `dy`, `y`, `x`, `scale`, `r1`, `r2`, `r3` →
 *   `[dx, dscale, doffset]` of the composite: dy passes where y > 0, then the batch-norm gradient.
 * A BatchNormalization runs it, and the ReLU after it passes its input through, only when, in the
 * model being run with `apply`/`call` in training, the layer's output goes to one plain ReLU layer
 * (`ReLU` without maxValue, or `Activation('relu')`) and nowhere else, not even to the model's
 * outputs. This is TensorFlow's batch-norm + ReLU remapping, decided per model, as grappler does.
 */

export const FUSED_BN_TRAIN = 'KilnFusedBatchNormTraining';
export const FUSED_BN_TRAIN_GRAD = 'KilnFusedBatchNormTrainingGrad';
export const FUSED_BN_RELU_TRAIN = 'KilnFusedBatchNormReluTraining';
export const FUSED_BN_RELU_TRAIN_GRAD = 'KilnFusedBatchNormReluTrainingGrad';

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

const reluGradient: tf.GradConfig = {
  kernelName: FUSED_BN_RELU_TRAIN,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [true, false, false, true, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [x, scale, y, r1, r2, r3] = saved as tf.Tensor[];
    const dyY = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
    // Computed here, not lazily, as above.
    const [dx, dscale, doffset] = tf.engine().runKernel(FUSED_BN_RELU_TRAIN_GRAD,
      { dy: dyY, y: y!, x: x!, scale: scale!, r1: r1!, r2: r2!, r3: r3! }, { epsilon: (attrs as { epsilon: number }).epsilon }) as tf.Tensor[];
    return { x: () => dx!, scale: () => dscale!, offset: () => doffset! };
  },
};

/** True when the active backend registered both fused batch-norm + ReLU kernels. */
export function hasFusedBatchNormReluTraining(backend = tf.getBackend()): boolean {
  return tf.getKernel(FUSED_BN_RELU_TRAIN, backend) !== undefined && tf.getKernel(FUSED_BN_RELU_TRAIN_GRAD, backend) !== undefined;
}

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
}

/** The parts of tfjs-layers' Layer, Node and Container the fusion decision reads. */
interface LayerLike {
  getClassName(): string;
  inboundNodes: { outputTensors: { id: number }[] }[];
  outboundNodes: { outboundLayer: LayerLike }[];
  maxValue?: number | null;
  activation?: { getClassName(): string };
}
interface ContainerLike { layers: LayerLike[]; outputs: { id: number }[] }

/** Models whose `call` is running, innermost last (a nested model runs inside its parent's call). */
const running: ContainerLike[] = [];
/** Per model: its BatchNormalization layers whose output only a plain ReLU layer of the same model reads. */
const fusable = new WeakMap<ContainerLike, Set<LayerLike>>();
/** Outputs of the fused batch norm + ReLU kernel: the ReLU layer after it passes them through. */
const reluDone = new WeakSet<tf.Tensor>();

function isPlainRelu(layer: LayerLike): boolean {
  const name = layer.getClassName();
  return (name === 'ReLU' && layer.maxValue == null) || (name === 'Activation' && layer.activation?.getClassName() === 'relu');
}

function fusableBatchNorms(model: ContainerLike): Set<LayerLike> {
  let set = fusable.get(model);
  if (set) return set;
  set = new Set();
  const inModel = new Set(model.layers);
  const outputs = new Set(model.outputs.map((o) => o.id));
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization' || layer.inboundNodes.length !== 1 || layer.outboundNodes.length !== 1) continue;
    const out = layer.inboundNodes[0]!.outputTensors;
    const next = layer.outboundNodes[0]!.outboundLayer;
    if (out.length !== 1 || outputs.has(out[0]!.id) || !inModel.has(next) || !isPlainRelu(next) || next.inboundNodes.length !== 1) continue;
    set.add(layer);
  }
  fusable.set(model, set);
  return set;
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
export function routeBatchNormTraining(layers: TfLayers): void {
  if (!tf.getGradient(FUSED_BN_TRAIN)) tf.registerGradient(gradient);
  if (!tf.getGradient(FUSED_BN_RELU_TRAIN)) tf.registerGradient(reluGradient);
  trackRunningModels(layers);
  passFusedRelu(layers);
  patchCall<BatchNormLayer>(Object.getPrototypeOf(layers.layers.batchNormalization({})), '__kilnFusedCall', (original) =>
    function fusedCall(inputs, kwargs) {
      const x = singleInput(inputs);
      const eligible = kwargs?.['training'] === true && x !== undefined && x.rank === 4 && x.dtype === 'float32' &&
        (this.axis === -1 || this.axis === 3) && hasFusedBatchNormTraining();
      if (!eligible) return original.call(this, inputs, kwargs);
      return tf.tidy(() => {
        const channels = x.shape[3]!;
        const scale = this.gamma ? this.gamma.read() : tf.ones([channels]);
        const offset = this.beta ? this.beta.read() : tf.zeros([channels]);
        const model = running[running.length - 1];
        const withRelu = model !== undefined && fusableBatchNorms(model).has(this as unknown as LayerLike) && hasFusedBatchNormReluTraining();
        const [y, mean, variance] = tf.engine().runKernel(withRelu ? FUSED_BN_RELU_TRAIN : FUSED_BN_TRAIN, { x, scale, offset }, { epsilon: this.epsilon }) as tf.Tensor[];
        moveAverage(this.movingMean, mean!, this.momentum);
        moveAverage(this.movingVariance, variance!, this.momentum);
        if (withRelu) reluDone.add(y!);
        return y!;
      });
    });
}

/** The parts of the `@tensorflow/tfjs-layers` module the routing patches. */
interface TfLayers {
  layers: { batchNormalization(args: object): unknown; reLU(args: object): unknown; activation(args: object): unknown };
  LayersModel: { prototype: object };
}

/** Keeps `running` current: tfjs-layers' Container.call (models run through apply/call) pushes and pops. */
function trackRunningModels(layers: TfLayers): void {
  patchCall<ContainerLike>(Object.getPrototypeOf(layers.LayersModel.prototype), '__kilnRunning', (original) =>
    function trackedCall(inputs, kwargs) {
      running.push(this);
      try {
        return original.call(this, inputs, kwargs);
      } finally {
        running.pop();
      }
    });
}

/** The ReLU / Activation('relu') after a fused batch norm + ReLU passes its (already rectified) input through. */
function passFusedRelu(layers: TfLayers): void {
  for (const layer of [layers.layers.reLU({}), layers.layers.activation({ activation: 'relu' })]) {
    patchCall<unknown>(Object.getPrototypeOf(layer), '__kilnFusedRelu', (original) =>
      function passCall(inputs, kwargs) {
        const x = singleInput(inputs);
        // Layer.apply clones an output that is its input, so the graph keeps distinct tensors.
        if (x !== undefined && reluDone.has(x)) return x;
        return original.call(this, inputs, kwargs);
      });
  }
}
