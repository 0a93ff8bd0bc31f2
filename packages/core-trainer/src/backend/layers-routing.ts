import * as tf from '@tensorflow/tfjs-core';

/**
 * What the layer routings of this folder share (internal): they replace a tfjs-layers class's
 * `call` on its prototype, once, and decide per call from the layer's input and the gradient tape.
 */

/** A tfjs-layers `Layer.call` with `this` typed as the fields a routing reads. */
export type LayerCall<L> = (this: L, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Replaces `proto.call` with `wrap(original)` unless `flag` says it was done (idempotent). */
export function patchCall<L>(proto: object, flag: string, wrap: (original: LayerCall<L>) => LayerCall<L>): void {
  const p = proto as { call: LayerCall<L> } & Record<string, unknown>;
  if (p[flag]) return;
  p.call = wrap(p.call);
  p[flag] = true;
}

/** The one tensor a layer was called with; undefined for a list of several. */
export function singleInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | undefined {
  return Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
}

/** A node of tfjs-core's gradient tape, as far as the routings read it. */
export interface TapeNodeLike { outputs: tf.Tensor[]; inputs: Record<string, tf.Tensor> }

/** The tape `tf.grad` / `tf.variableGrads` is recording, or undefined outside one. */
export function recordingTape(): readonly TapeNodeLike[] | undefined {
  const state = tf.engine().state as unknown as { gradientDepth: number; activeTape: TapeNodeLike[] | null };
  return state.gradientDepth > 0 && state.activeTape != null ? state.activeTape : undefined;
}
