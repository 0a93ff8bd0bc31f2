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

/** The slots of one group's variables (those with gradients, in group order) as one flat vector per slot. */
interface FlatGroup {
  readonly names: readonly string[];
  readonly shapes: readonly number[][];
  readonly sizes: readonly number[];
  readonly slots: Map<string, tf.Variable>;
}

/**
 * Base of PyTorch-style optimizers over parameter groups: per-group LR, per-variable state
 * tensors ("slots", created lazily) and step counts (a variable without a gradient is skipped
 * and its count does not advance, as in torch.optim). State keys are positional
 * (`<slot>/<group>.<index>`), so state loads into a rebuilt model.
 *
 * Fused path: a subclass that implements `updateFlat` gets one update per group instead of one
 * per variable when every variable of the group that has a gradient is at the same step (the
 * usual case). Gradients and parameters are concatenated into flat vectors, slots are kept flat
 * between steps, and the new parameters are split back: a few dozen kernels per group instead of
 * a dozen per variable. The arithmetic is elementwise and identical, so the results are the same
 * bit for bit; the saved state has the same per-variable keys either way.
 */
export abstract class SlotOptimizer implements Optimizer {
  readonly groups: readonly ParamGroup[];
  readonly #lr: number[];
  readonly #slots = new Map<string, Map<string, tf.Variable>>();
  readonly #steps = new Map<string, number>();
  readonly #flat = new Map<number, FlatGroup>();

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

  /**
   * Optional fused form of `update` for flat vectors: returns the new parameters and the new value
   * of every slot (slots start as zeros). Must compute exactly what `update` computes, elementwise.
   */
  protected updateFlat?(p: tf.Tensor1D, g: tf.Tensor1D, slots: Readonly<Record<string, tf.Tensor1D>>, ctx: UpdateContext): { p: tf.Tensor; slots: Record<string, tf.Tensor> };

  getLr(group: number): number {
    return this.#lr[group];
  }

  setLr(group: number, lr: number): void {
    this.#lr[group] = lr;
  }

  applyGradients(grads: Readonly<Record<string, tf.Tensor>>): void {
    tf.tidy(() => {
      this.groups.forEach((group, gi) => {
        const ctx = { lr: this.#lr[gi], weightDecay: group.weightDecay ?? 0 };
        const withGrad = group.variables.filter((p) => grads[p.name]);
        const steps = new Set(withGrad.map((p) => this.#steps.get(p.name) ?? 0));
        if (this.updateFlat && withGrad.length > 1 && steps.size === 1 && withGrad.every((p) => p.dtype === 'float32')) {
          const step = [...steps][0]! + 1;
          for (const p of withGrad) this.#steps.set(p.name, step);
          this.#fusedUpdate(gi, withGrad, grads, { ...ctx, step });
          return;
        }
        this.#unflatten(gi);
        for (const p of withGrad) {
          const step = (this.#steps.get(p.name) ?? 0) + 1;
          this.#steps.set(p.name, step);
          this.update(p, grads[p.name]!, { ...ctx, step });
        }
      });
    });
  }

  #fusedUpdate(gi: number, vars: readonly tf.Variable[], grads: Readonly<Record<string, tf.Tensor>>, ctx: UpdateContext): void {
    const fg = this.#flatten(gi, vars);
    // Reshapes are real kernels on some backends (tfjs-node): 1-D tensors skip them.
    const flat1 = (t: tf.Tensor): tf.Tensor1D => (t.rank === 1 ? (t as tf.Tensor1D) : tf.reshape(t, [-1]));
    const flat = (ts: tf.Tensor[]): tf.Tensor1D => (ts.length === 1 ? flat1(ts[0]!) : tf.concat(ts.map(flat1)));
    const slots = Object.fromEntries([...fg.slots].map(([name, v]) => [name, v as tf.Tensor1D]));
    const out = this.updateFlat!(flat([...vars]), flat(vars.map((p) => grads[p.name]!)), slots, ctx);
    for (const [name, v] of fg.slots) v.assign(out.slots[name]!);
    tf.split(out.p, [...fg.sizes]).forEach((piece, i) => vars[i]!.assign(fg.shapes[i]!.length === 1 ? piece : tf.reshape(piece, fg.shapes[i]!)));
  }

  /** The flat slots of group `gi` for exactly `vars`: reused, or built from the per-variable slots (zeros where none). */
  #flatten(gi: number, vars: readonly tf.Variable[]): FlatGroup {
    const existing = this.#flat.get(gi);
    if (existing && existing.names.length === vars.length && existing.names.every((n, i) => n === vars[i]!.name)) return existing;
    this.#unflatten(gi);
    const fg: FlatGroup = { names: vars.map((v) => v.name), shapes: vars.map((v) => [...v.shape]), sizes: vars.map((v) => v.size), slots: new Map() };
    for (const [slot, map] of this.#slots) {
      const parts = vars.map((v) => tf.reshape(map.get(v.name) ?? tf.zerosLike(v), [-1]));
      fg.slots.set(slot, tf.variable(tf.concat(parts), false));
      for (const v of vars) {
        map.get(v.name)?.dispose();
        map.delete(v.name);
      }
    }
    this.#flat.set(gi, fg);
    return fg;
  }

  /** Per-variable slots back from group `gi`'s flat ones (a no-op when it has none). */
  #unflatten(gi: number): void {
    const fg = this.#flat.get(gi);
    if (!fg) return;
    this.#flat.delete(gi);
    for (const [slot, flat] of fg.slots) {
      const map = this.#slots.get(slot)!;
      tf.tidy(() => tf.split(flat, [...fg.sizes]).forEach((piece, i) => map.set(fg.names[i]!, tf.variable(tf.reshape(piece, fg.shapes[i]!), false))));
      flat.dispose();
    }
  }

  /** True when the slot exists (e.g. SGD's momentum buffer after the first step). */
  protected hasSlot(slot: string, p: tf.Variable): boolean {
    return this.#slots.get(slot)!.has(p.name) || [...this.#flat.values()].some((fg) => fg.names.includes(p.name));
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
    for (const fg of this.#flat.values()) {
      for (const [slot, flat] of fg.slots) {
        tf.split(flat, [...fg.sizes]).forEach((piece, i) => {
          tensors[`${slot}/${toKey.get(fg.names[i]!)}`] = tf.reshape(piece, fg.shapes[i]!);
          piece.dispose();
        });
      }
    }
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
    for (const gi of [...this.#flat.keys()]) this.#unflatten(gi);
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
    for (const fg of this.#flat.values()) for (const v of fg.slots.values()) v.dispose();
    this.#flat.clear();
    for (const map of this.#slots.values()) {
      for (const v of map.values()) v.dispose();
      map.clear();
    }
    this.#steps.clear();
  }
}
