import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { KilnError } from '@kiln/core-trainer';
import { NativeErrorCodes } from './errors.js';

export interface GoldenStepOptions {
  /** Images in the batch (default 2). */
  readonly batchSize?: number;
  /** Learning rate of the plain SGD step (default 0.01): weights after = before − lr · grad. */
  readonly lr?: number;
  /** Loss of (target, prediction); default mean squared error against a uniform [0, 1) target. */
  readonly loss?: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;
  /** Run the model in training mode (batch-norm batch statistics; default true). Dropout makes the backends differ by design. */
  readonly training?: boolean;
}

/** How far one variable ended up apart on the two backends. */
export interface VariableDelta {
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  /** max |a − b| of the variable after the step. */
  readonly maxAbsDiff: number;
  /** max |a − b| of its gradient (trainable variables only, else 0). */
  readonly maxAbsGradDiff: number;
  /** max |a| of the gradient on the first backend, to judge `maxAbsGradDiff` against. */
  readonly maxAbsGrad: number;
}

export interface GoldenStepResult {
  readonly backends: readonly [string, string];
  readonly loss: readonly [number, number];
  readonly variables: readonly VariableDelta[];
  /** Largest `maxAbsDiff` over all variables. */
  readonly maxAbsDiff: number;
}

interface StepOut { loss: number; weights: Float32Array[]; grads: Float32Array[]; names: string[]; shapes: number[][]; trainable: boolean[] }

/** mulberry32: a small seeded generator, so both backends see bit-identical inputs. */
function uniform(seed: number, n: number, lo: number, hi: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

const shapeOf = (s: readonly (number | null)[], batch: number): number[] => s.map((d, i) => (i === 0 ? batch : d ?? 1));
const maxAbs = (a: Float32Array, b?: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(b ? v - b[i] : v)), 0);

function step(model: tfl.LayersModel, init: tf.Tensor[], x: tf.Tensor, y: tf.Tensor, o: Required<GoldenStepOptions>): StepOut {
  model.setWeights(init);
  const vars = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
  const { value, grads } = tf.variableGrads(() => o.loss(y, model.apply(x, { training: o.training }) as tf.Tensor), vars);
  const gradArrays = vars.map((v) => grads[v.name].dataSync().slice() as Float32Array);
  tf.tidy(() => vars.forEach((v) => v.assign(tf.sub(v, tf.mul(grads[v.name], o.lr)))));
  const out: StepOut = {
    loss: value.dataSync()[0],
    weights: model.weights.map((w) => w.read().dataSync().slice() as Float32Array),
    grads: model.weights.map((w) => (w.trainable ? gradArrays[model.trainableWeights.indexOf(w)] : new Float32Array(0))),
    names: model.weights.map((w) => w.originalName),
    shapes: model.weights.map((w) => [...w.shape] as number[]),
    trainable: model.weights.map((w) => w.trainable),
  };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/**
 * One training step of the same model on two tfjs backends, from the same initial weights and the
 * same seeded batch; returns max |Δ| per variable after the step (and of its gradient), so a user
 * sees how far switching backends moves training. Both backends must be registered (activate
 * their providers first); the previously active backend is restored afterwards.
 * @example const r = await goldenStep(() => buildCnn(), ['tensorflow', 'wasm'], 42); console.table(r.variables)
 */
export async function goldenStep(
  modelFactory: () => tfl.LayersModel | Promise<tfl.LayersModel>, backends: readonly [string, string], seed: number, options: GoldenStepOptions = {},
): Promise<GoldenStepResult> {
  for (const b of backends) {
    if (!tf.findBackendFactory(b)) {
      throw new KilnError(NativeErrorCodes.NATIVE_GOLDEN_BACKEND, `goldenStep: backend '${b}' is not registered in tfjs (registered: ${Object.keys(tf.engine().registryFactory).join(', ')}). Activate its Kiln backend first.`);
    }
  }
  const o: Required<GoldenStepOptions> = {
    batchSize: options.batchSize ?? 2, lr: options.lr ?? 0.01, training: options.training ?? true,
    loss: options.loss ?? ((yt, yp) => tf.losses.meanSquaredError(yt, yp) as tf.Scalar),
  };
  const before = tf.getBackend();
  const outs: StepOut[] = [];
  let init: { values: Float32Array; shape: number[]; dtype: tf.DataType }[] = [];
  try {
    for (const [i, b] of backends.entries()) {
      await tf.setBackend(b);
      const model = await modelFactory();
      if (i === 0) init = model.getWeights().map((w) => ({ values: w.dataSync().slice() as Float32Array, shape: w.shape, dtype: w.dtype }));
      const xShape = shapeOf(model.inputs[0].shape, o.batchSize);
      const yShape = shapeOf(model.outputs[0].shape, o.batchSize);
      const tensors = [
        ...init.map((w) => tf.tensor(w.values, w.shape, w.dtype)),
        tf.tensor(uniform(seed, xShape.reduce((p, d) => p * d, 1), -1, 1), xShape),
        tf.tensor(uniform(seed + 1, yShape.reduce((p, d) => p * d, 1), 0, 1), yShape),
      ];
      try {
        outs.push(step(model, tensors.slice(0, init.length), tensors[init.length], tensors[init.length + 1], o));
      } finally {
        tf.dispose(tensors);
        model.dispose();
      }
    }
  } finally {
    await tf.setBackend(before);
  }
  const [a, b] = outs;
  const variables = a.names.map((name, i) => ({
    name, shape: a.shapes[i], trainable: a.trainable[i],
    maxAbsDiff: maxAbs(a.weights[i], b.weights[i]),
    maxAbsGradDiff: a.trainable[i] ? maxAbs(a.grads[i], b.grads[i]) : 0,
    maxAbsGrad: a.trainable[i] ? maxAbs(a.grads[i]) : 0,
  }));
  return { backends, loss: [a.loss, b.loss], variables, maxAbsDiff: Math.max(0, ...variables.map((v) => v.maxAbsDiff)) };
}
