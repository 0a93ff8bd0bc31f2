import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Batch, TrainingModule } from '@kiln/core-trainer';

export async function cpu(): Promise<void> {
  await tf.setBackend('cpu');
}

/** A tiny real model (dense 4→3→2). */
export function tinyModel(): tfl.LayersModel {
  return tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4], activation: 'relu' }), tfl.layers.dense({ units: 2 })] });
}

/** Sets every weight of `model` to `value`. */
export function fillWeights(model: tfl.LayersModel, value: number): void {
  const ts = model.getWeights().map((w) => tf.fill(w.shape, value));
  model.setWeights(ts);
  tf.dispose(ts);
}

/** The first value of every weight tensor. */
export function firstValues(model: tfl.LayersModel): number[] {
  return model.getWeights().map((w) => w.dataSync()[0]);
}

/** A minimal real TrainingModule around `model` (mean squared output as the loss). */
export function moduleOf(model: tfl.LayersModel): TrainingModule {
  const loss = (b: Batch) => tf.mean(tf.square(model.apply(b.x) as tf.Tensor)) as tf.Scalar;
  return {
    model, metrics: [], trainingStep: loss, validationStep: loss,
    predictStep: (b) => model.apply(b.x) as tf.Tensor,
    configureOptimizers: () => { throw new Error('not used'); },
  };
}
