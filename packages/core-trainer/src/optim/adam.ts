import * as tf from '@tensorflow/tfjs-core';
import type { ParamGroup } from '../contracts/optimizer.js';
import { SlotOptimizer, type UpdateContext } from './base.js';
import { checkOptimOption } from './errors.js';

export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** `true`: AdamW (decoupled decay, `p -= lr·wd·p`); `false`: Adam with L2 added to the gradient. */
  readonly decoupled?: boolean;
}

/**
 * Adam / AdamW with PyTorch's update rule (bias-corrected, eps outside the square root) over
 * parameter groups, each with its own LR and weight decay. Moments are created lazily on the
 * first step for each variable; bias correction uses each variable's own step count.
 * @example const opt = new Adam([{ name: 'all', variables: model.trainableWeights.map((w) => w.read() as tf.Variable), lr: 1e-3, weightDecay: 0.01 }], { decoupled: true });
 */
export class Adam extends SlotOptimizer {
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #eps: number;
  readonly #decoupled: boolean;

  constructor(groups: readonly ParamGroup[], options: AdamOptions = {}) {
    super(options.decoupled ? 'adamw' : 'adam', groups, ['m', 'v']);
    this.#beta1 = options.beta1 ?? 0.9;
    this.#beta2 = options.beta2 ?? 0.999;
    this.#eps = options.eps ?? 1e-8;
    this.#decoupled = options.decoupled ?? false;
    for (const [k, v] of [['beta1', this.#beta1], ['beta2', this.#beta2]] as const) checkOptimOption(this.name, k, v, v >= 0 && v < 1, 'in [0, 1)');
    checkOptimOption(this.name, 'eps', this.#eps, this.#eps > 0 && Number.isFinite(this.#eps), 'a finite number > 0');
  }

  protected update(p: tf.Variable, grad: tf.Tensor, ctx: UpdateContext): void {
    const m = this.slot('m', p);
    const v = this.slot('v', p);
    const next = this.#math(p, grad, m, v, ctx);
    m.assign(next.m);
    v.assign(next.v);
    p.assign(next.p);
  }

  protected override updateFlat(p: tf.Tensor1D, grad: tf.Tensor1D, slots: Readonly<Record<string, tf.Tensor1D>>, ctx: UpdateContext): { p: tf.Tensor; slots: Record<string, tf.Tensor> } {
    const next = this.#math(p, grad, slots['m']!, slots['v']!, ctx);
    return { p: next.p, slots: { m: next.m, v: next.v } };
  }

  /** One Adam(W) step, elementwise: the same ops for one variable or a flat vector of many. */
  #math(p: tf.Tensor, grad: tf.Tensor, m0: tf.Tensor, v0: tf.Tensor, { lr, weightDecay: wd, step }: UpdateContext): { p: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
    const g = wd !== 0 && !this.#decoupled ? tf.add(grad, tf.mul(p, wd)) : grad;
    const m = tf.add(tf.mul(m0, this.#beta1), tf.mul(g, 1 - this.#beta1));
    const v = tf.add(tf.mul(v0, this.#beta2), tf.mul(tf.square(g), 1 - this.#beta2));
    const bc1 = 1 - this.#beta1 ** step;
    const bc2 = 1 - this.#beta2 ** step;
    const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), this.#eps);
    const base = this.#decoupled && wd !== 0 ? tf.mul(p, 1 - lr * wd) : p;
    return { p: tf.sub(base, tf.mul(tf.div(m, denom), lr / bc1)), m, v };
  }
}
