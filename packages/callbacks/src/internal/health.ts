import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** Models NaNGuard found broken, with why: checkpointing callbacks refuse to save them. */
const unhealthy = new WeakMap<object, string>();

export function markUnhealthy(model: LayersModel, why: string): void {
  unhealthy.set(model, why);
}

export function unhealthyReason(model: LayersModel | undefined): string | undefined {
  return model ? unhealthy.get(model) : undefined;
}

/** Name of the first weight holding NaN/Inf, or undefined; one read-back for the whole model. */
export function firstNonFiniteWeight(model: LayersModel): string | undefined {
  const ws = model.weights;
  if (!ws.length) return undefined;
  const flags = tf.tidy(() => tf.stack(ws.map((w) => tf.all(tf.isFinite(w.read())))).dataSync());
  const i = flags.findIndex((f) => !f);
  return i < 0 ? undefined : ws[i].originalName ?? ws[i].name;
}

/** Keys of `logs` whose value is NaN or infinite. */
export function nonFiniteKeys(logs: Readonly<Record<string, number>>): string[] {
  return Object.entries(logs).filter(([, v]) => typeof v === 'number' && !Number.isFinite(v)).map(([k]) => k);
}
