import type * as tf from '@tensorflow/tfjs-core';

/** A parameter group: variables that share an LR and weight decay (e.g. backbone vs head). */
export interface ParamGroup {
  readonly name: string;
  readonly variables: readonly tf.Variable[];
  /** Base learning rate of the group. */
  readonly lr: number;
  readonly weightDecay?: number;
}

/**
 * Optimizer state for checkpoints: named tensors plus JSON metadata (step counts, hyper-parameters).
 * Tensor keys are positional, `<slot>/<group>.<index>` (e.g. `m/0.3`), never tfjs variable names:
 * those are process-global and differ when the model is rebuilt to resume. See `positionalKeys`.
 */
export interface OptimizerState {
  readonly tensors: Readonly<Record<string, tf.Tensor>>;
  readonly meta: Readonly<Record<string, unknown>>;
}

/**
 * Updates variables from gradients, PyTorch-style: `applyGradients` takes gradients keyed by
 * variable name (as `tf.variableGrads` returns them) and performs one step for every group, using
 * each group's current LR (`setLr`, driven by the schedule). It disposes nothing it is given.
 */
export interface Optimizer {
  readonly name: string;
  readonly groups: readonly ParamGroup[];
  getLr(group: number): number;
  setLr(group: number, lr: number): void;
  applyGradients(grads: Readonly<Record<string, tf.Tensor>>): void;
  /** Copies of the state tensors; the caller disposes them. */
  stateDict(): OptimizerState;
  /** Restores state saved by `stateDict`; throws KILN_OPTIMIZER_STATE_INVALID on mismatch. */
  loadStateDict(state: OptimizerState): void;
  dispose(): void;
}

/**
 * Maps each variable's (process-specific) name to its stable position key `<group>.<index>` and back,
 * so optimizer state saved from one model instance loads into a rebuilt one.
 * @example const { toKey, toName } = positionalKeys(optimizer.groups); toKey.get(v.name) // '0.3'
 */
export function positionalKeys(groups: readonly ParamGroup[]): { toKey: Map<string, string>; toName: Map<string, string> } {
  const toKey = new Map<string, string>();
  const toName = new Map<string, string>();
  groups.forEach((g, gi) => g.variables.forEach((v, vi) => {
    toKey.set(v.name, `${gi}.${vi}`);
    toName.set(`${gi}.${vi}`, v.name);
  }));
  return { toKey, toName };
}
