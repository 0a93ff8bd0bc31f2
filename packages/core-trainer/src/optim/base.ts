import * as tf from '@tensorflow/tfjs-core';
import { type Optimizer, type OptimizerState, type ParamGroup, positionalKeys } from '../contracts/optimizer.js';
import { CoreErrorCodes, KilnError } from '../errors.js';
import { checkOptimOption } from './errors.js';

/** What `update` gets for one variable: the group's current LR and weight decay and the variable's step count (1 on its first update). */
export interface UpdateContext {
  readonly lr: number;
  readonly weightDecay: number;
  readonly step: number;
}

/**
 * Base of PyTorch-style optimizers over parameter groups: per-group LR, per-variable state
 * tensors ("slots", created lazily) and step counts (a variable without a gradient is skipped
 * and its count does not advance, as in torch.optim). State keys are positional
 * (`<slot>/<group>.<index>`), so state loads into a rebuilt model.
 */
export abstract class SlotOptimizer implements Optimizer {
  readonly groups: readonly ParamGroup[];
  readonly #lr: number[];
  readonly #slots = new Map<string, Map<string, tf.Variable>>();
  readonly #steps = new Map<string, number>();

  constructor(readonly name: string, groups: readonly ParamGroup[], readonly slotNames: readonly string[]) {
    this.groups = groups;
    this.#lr = groups.map((g) => g.lr);
    for (const s of slotNames) this.#slots.set(s, new Map());
    groups.forEach((g, i) => {
      checkOptimOption(name, `groups[${i}].lr`, g.lr, Number.isFinite(g.lr) && g.lr >= 0, 'a finite number >= 0');
      const wd = g.weightDecay ?? 0;
      checkOptimOption(name, `groups[${i}].weightDecay`, wd, Number.isFinite(wd) && wd >= 0, 'a finite number >= 0');
    });
  }

  /** One update of `p` with gradient `g`, inside a tidy; assign to `p` and slots. */
  protected abstract update(p: tf.Variable, g: tf.Tensor, ctx: UpdateContext): void;

  getLr(group: number): number {
    return this.#lr[group];
  }

  setLr(group: number, lr: number): void {
    this.#lr[group] = lr;
  }

  applyGradients(grads: Readonly<Record<string, tf.Tensor>>): void {
    tf.tidy(() => {
      this.groups.forEach((group, gi) => {
        for (const p of group.variables) {
          const g = grads[p.name];
          if (!g) continue;
          const step = (this.#steps.get(p.name) ?? 0) + 1;
          this.#steps.set(p.name, step);
          this.update(p, g, { lr: this.#lr[gi], weightDecay: group.weightDecay ?? 0, step });
        }
      });
    });
  }

  /** True when the slot exists (e.g. SGD's momentum buffer after the first step). */
  protected hasSlot(slot: string, p: tf.Variable): boolean {
    return this.#slots.get(slot)!.has(p.name);
  }

  /** The slot variable of `p`, created as zeros (or from `init`) on first use. */
  protected slot(slot: string, p: tf.Variable, init?: tf.Tensor): tf.Variable {
    const map = this.#slots.get(slot)!;
    let s = map.get(p.name);
    if (!s) {
      s = tf.variable(init ?? tf.zerosLike(p), false);
      map.set(p.name, s);
    }
    return s;
  }

  /** Extra JSON for `meta` (subclasses). */
  protected meta(): Record<string, unknown> {
    return {};
  }

  stateDict(): OptimizerState {
    const { toKey } = positionalKeys(this.groups);
    const tensors: Record<string, tf.Tensor> = {};
    for (const [slot, map] of this.#slots) for (const [name, v] of map) tensors[`${slot}/${toKey.get(name)}`] = v.clone();
    const steps = Object.fromEntries([...this.#steps].map(([name, n]) => [toKey.get(name)!, n]));
    const t = Math.max(0, ...this.#steps.values());
    return { tensors, meta: { ...this.meta(), name: this.name, t, steps, lr: [...this.#lr] } };
  }

  loadStateDict(state: OptimizerState): void {
    const invalid = (msg: string) => new KilnError(CoreErrorCodes.OPTIMIZER_STATE_INVALID, msg);
    if (state.meta.name !== this.name || typeof state.meta.t !== 'number') {
      throw invalid(`Optimizer state is for '${String(state.meta.name)}', but this run uses '${this.name}'.`);
    }
    const { toName } = positionalKeys(this.groups);
    const vars = new Map(this.groups.flatMap((g) => g.variables.map((v) => [v.name, v] as const)));
    const restored: [Map<string, tf.Variable>, string, tf.Tensor][] = [];
    for (const [key, value] of Object.entries(state.tensors)) {
      const [slot, pos] = key.split('/');
      const name = toName.get(pos);
      const variable = name === undefined ? undefined : vars.get(name);
      const map = this.#slots.get(slot);
      if (!map || !variable || !tf.util.arraysEqual(variable.shape, value.shape)) {
        throw invalid(`Optimizer state has '${key}', which matches no trainable variable of this model (or its shape differs): the checkpoint is from another model or optimizer.`);
      }
      restored.push([map, variable.name, value]);
    }
    for (const [map, name, value] of restored) {
      map.get(name)?.dispose();
      map.set(name, tf.variable(value, false));
    }
    // Older state without per-variable counts: every variable with state is at step t.
    const steps = (state.meta.steps as Record<string, number> | undefined) ??
      Object.fromEntries(restored.map(([, name]) => [positionalKeys(this.groups).toKey.get(name)!, state.meta.t as number]));
    this.#steps.clear();
    for (const [pos, n] of Object.entries(steps)) {
      const name = toName.get(pos);
      if (name !== undefined) this.#steps.set(name, n);
    }
    (state.meta.lr as number[] | undefined)?.forEach((lr, i) => this.setLr(i, lr));
  }

  dispose(): void {
    for (const map of this.#slots.values()) {
      for (const v of map.values()) v.dispose();
      map.clear();
    }
    this.#steps.clear();
  }
}
