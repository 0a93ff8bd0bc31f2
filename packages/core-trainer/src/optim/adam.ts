import * as tf from '@tensorflow/tfjs-core';
import { type Optimizer, type OptimizerState, type ParamGroup, positionalKeys } from '../contracts/optimizer.js';
import { CoreErrorCodes, KilnError } from '../errors.js';

export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** `true`: AdamW (decoupled decay, `p -= lr·wd·p`); `false`: Adam with L2 added to the gradient. */
  readonly decoupled?: boolean;
}

/**
 * Adam / AdamW with PyTorch's update rule (bias-corrected, eps outside the square root) over
 * parameter groups. Moments are created lazily on the first step for each variable.
 */
export class Adam implements Optimizer {
  readonly name: string;
  readonly groups: readonly ParamGroup[];
  readonly #lr: number[];
  readonly #m = new Map<string, tf.Variable>();
  readonly #v = new Map<string, tf.Variable>();
  #t = 0;
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #eps: number;
  readonly #decoupled: boolean;

  constructor(groups: readonly ParamGroup[], options: AdamOptions = {}) {
    this.groups = groups;
    this.#lr = groups.map((g) => g.lr);
    this.#beta1 = options.beta1 ?? 0.9;
    this.#beta2 = options.beta2 ?? 0.999;
    this.#eps = options.eps ?? 1e-8;
    this.#decoupled = options.decoupled ?? false;
    this.name = this.#decoupled ? 'adamw' : 'adam';
  }

  getLr(group: number): number {
    return this.#lr[group];
  }

  setLr(group: number, lr: number): void {
    this.#lr[group] = lr;
  }

  applyGradients(grads: Readonly<Record<string, tf.Tensor>>): void {
    this.#t += 1;
    const t = this.#t;
    const bc1 = 1 - this.#beta1 ** t;
    const bc2 = 1 - this.#beta2 ** t;
    tf.tidy(() => {
      this.groups.forEach((group, gi) => {
        const lr = this.#lr[gi];
        const wd = group.weightDecay ?? 0;
        for (const p of group.variables) {
          let g = grads[p.name];
          if (!g) continue;
          if (wd !== 0 && !this.#decoupled) g = tf.add(g, tf.mul(p, wd));
          const m = this.#slot(this.#m, p);
          const v = this.#slot(this.#v, p);
          m.assign(tf.add(tf.mul(m, this.#beta1), tf.mul(g, 1 - this.#beta1)));
          v.assign(tf.add(tf.mul(v, this.#beta2), tf.mul(tf.square(g), 1 - this.#beta2)));
          const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), this.#eps);
          const base = this.#decoupled && wd !== 0 ? tf.mul(p, 1 - lr * wd) : p;
          p.assign(tf.sub(base, tf.mul(tf.div(m, denom), lr / bc1)));
        }
      });
    });
  }

  #slot(map: Map<string, tf.Variable>, p: tf.Variable): tf.Variable {
    let s = map.get(p.name);
    if (!s) {
      s = tf.variable(tf.zerosLike(p), false);
      map.set(p.name, s);
    }
    return s;
  }

  stateDict(): OptimizerState {
    const { toKey } = positionalKeys(this.groups);
    const tensors: Record<string, tf.Tensor> = {};
    for (const [k, v] of this.#m) tensors[`m/${toKey.get(k)}`] = v.clone();
    for (const [k, v] of this.#v) tensors[`v/${toKey.get(k)}`] = v.clone();
    return { tensors, meta: { name: this.name, t: this.#t, lr: [...this.#lr] } };
  }

  loadStateDict(state: OptimizerState): void {
    if (state.meta.name !== this.name || typeof state.meta.t !== 'number') {
      throw new KilnError(CoreErrorCodes.OPTIMIZER_STATE_INVALID,
        `Optimizer state is for '${String(state.meta.name)}', but this run uses '${this.name}'.`);
    }
    const { toName } = positionalKeys(this.groups);
    for (const [key, value] of Object.entries(state.tensors)) {
      const [kind, pos] = key.split('/');
      const name = toName.get(pos);
      const variable = this.groups.flatMap((g) => g.variables).find((v) => v.name === name);
      if (!name || (kind !== 'm' && kind !== 'v') || !variable || !tf.util.arraysEqual(variable.shape, value.shape)) {
        throw new KilnError(CoreErrorCodes.OPTIMIZER_STATE_INVALID, `Optimizer state has '${key}', which matches no trainable variable of this model (or its shape differs): the checkpoint is from another model.`);
      }
      const map = kind === 'm' ? this.#m : this.#v;
      map.get(name)?.dispose();
      map.set(name, tf.variable(value, false));
    }
    this.#t = state.meta.t;
    (state.meta.lr as number[] | undefined)?.forEach((lr, i) => this.setLr(i, lr));
  }

  dispose(): void {
    for (const v of [...this.#m.values(), ...this.#v.values()]) v.dispose();
    this.#m.clear();
    this.#v.clear();
  }
}
