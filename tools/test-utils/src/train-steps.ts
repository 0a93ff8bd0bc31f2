import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Selects the wasm backend with Kiln's training kernels (@kiln/plugin-backend-wasm).
 * Returns a reason string when that is impossible, so the caller can skip and print why.
 */
export async function useWasmForTraining(): Promise<string | undefined> {
  try {
    const wasm = await import('@kiln/plugin-backend-wasm');
    await wasm.registerWasmTrainingKernels();
    if (!(await tf.setBackend('wasm'))) return 'tf.setBackend("wasm") returned false';
    return undefined;
  } catch (e) {
    return `wasm training kernels unavailable: ${(e as Error).message}`;
  }
}

/**
 * Runs `steps` Adam steps of categorical cross-entropy on one fixed batch and returns the losses
 * and the tensor count after each step.
 */
export function trainSteps(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor, steps: number, lr: number): { losses: number[]; counts: number[] } {
  const optimizer = tf.train.adam(lr);
  const multiLabel = y.shape[y.shape.length - 1] !== 1 && (tf.tidy(() => tf.max(tf.sum(y, -1)).dataSync()[0]) ?? 1) > 1;
  const losses: number[] = [];
  const counts: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const p = tf.clipByValue(model.apply(x, { training: true }) as tf.Tensor, 1e-7, 1 - 1e-7);
        const ce = multiLabel
          ? tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))))))
          : tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(p)), -1)));
        return ce as tf.Scalar;
      });
      optimizer.applyGradients(grads as Record<string, tf.Variable>);
      return value;
    });
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
    counts.push(tf.memory().numTensors);
  }
  optimizer.dispose();
  return { losses, counts };
}
