import * as tf from '@tensorflow/tfjs-core';
import type { ParamGroup } from '../contracts/optimizer.js';
import { SlotOptimizer, type UpdateContext } from './base.js';
import { checkOptimOption } from './errors.js';

export interface SgdOptions {
  /** Default 0 (plain SGD). */
  readonly momentum?: number;
  /** Default 0. */
  readonly dampening?: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0. Default false. */
  readonly nesterov?: boolean;
}

/**
 * SGD with PyTorch's rule: `d = g + wd·p`; with momentum `buf = μ·buf + (1 − dampening)·d`
 * (`buf = d` on the first step), `d = nesterov ? d + μ·buf : buf`; `p -= lr·d`.
 * @example const opt = new Sgd([{ name: 'all', variables, lr: 0.1, weightDecay: 1e-4 }], { momentum: 0.9, nesterov: true });
 */
export class Sgd extends SlotOptimizer {
  readonly #o: Required<SgdOptions>;

  constructor(groups: readonly ParamGroup[], options: SgdOptions = {}) {
    super('sgd', groups, ['momentum']);
    this.#o = { momentum: options.momentum ?? 0, dampening: options.dampening ?? 0, nesterov: options.nesterov ?? false };
    const { momentum, dampening, nesterov } = this.#o;
    checkOptimOption(this.name, 'momentum', momentum, Number.isFinite(momentum) && momentum >= 0, 'a finite number >= 0');
    checkOptimOption(this.name, 'dampening', dampening, Number.isFinite(dampening) && dampening >= 0 && dampening <= 1, 'in [0, 1]');
    checkOptimOption(this.name, 'nesterov', nesterov, !nesterov || (momentum > 0 && dampening === 0), 'false unless momentum > 0 and dampening = 0');
  }

  protected update(p: tf.Variable, grad: tf.Tensor, { lr, weightDecay: wd }: UpdateContext): void {
    let d = wd !== 0 ? tf.add(grad, tf.mul(p, wd)) : grad;
    const { momentum, dampening, nesterov } = this.#o;
    if (momentum !== 0) {
      let buf: tf.Variable;
      if (!this.hasSlot('momentum', p)) buf = this.slot('momentum', p, d);
      else {
        buf = this.slot('momentum', p);
        buf.assign(tf.add(tf.mul(buf, momentum), tf.mul(d, 1 - dampening)));
      }
      d = nesterov ? tf.add(d, tf.mul(buf, momentum)) : buf;
    }
    p.assign(tf.sub(p, tf.mul(d, lr)));
  }
}

export interface RmspropOptions {
  /** Smoothing constant of the squared-gradient average. Default 0.99. */
  readonly alpha?: number;
  /** Default 1e-8. */
  readonly eps?: number;
  /** Default 0. */
  readonly momentum?: number;
  /** Normalise by the centred variance estimate. Default false. */
  readonly centered?: boolean;
}

/**
 * RMSprop with PyTorch's rule (eps added after the square root; optional momentum and centring).
 * @example const opt = new Rmsprop([{ name: 'all', variables, lr: 1e-3 }], { momentum: 0.9 });
 */
export class Rmsprop extends SlotOptimizer {
  readonly #o: Required<RmspropOptions>;

  constructor(groups: readonly ParamGroup[], options: RmspropOptions = {}) {
    super('rmsprop', groups, ['square_avg', 'grad_avg', 'momentum']);
    this.#o = { alpha: options.alpha ?? 0.99, eps: options.eps ?? 1e-8, momentum: options.momentum ?? 0, centered: options.centered ?? false };
    checkOptimOption(this.name, 'alpha', this.#o.alpha, this.#o.alpha >= 0 && this.#o.alpha < 1, 'in [0, 1)');
    checkOptimOption(this.name, 'eps', this.#o.eps, this.#o.eps > 0 && Number.isFinite(this.#o.eps), 'a finite number > 0');
    checkOptimOption(this.name, 'momentum', this.#o.momentum, Number.isFinite(this.#o.momentum) && this.#o.momentum >= 0, 'a finite number >= 0');
  }

  protected update(p: tf.Variable, grad: tf.Tensor, { lr, weightDecay: wd }: UpdateContext): void {
    const { alpha, eps, momentum, centered } = this.#o;
    const g = wd !== 0 ? tf.add(grad, tf.mul(p, wd)) : grad;
    const sq = this.slot('square_avg', p);
    sq.assign(tf.add(tf.mul(sq, alpha), tf.mul(tf.square(g), 1 - alpha)));
    let variance: tf.Tensor = sq;
    if (centered) {
      const ga = this.slot('grad_avg', p);
      ga.assign(tf.add(tf.mul(ga, alpha), tf.mul(g, 1 - alpha)));
      variance = tf.sub(sq, tf.square(ga));
    }
    const step = tf.div(g, tf.add(tf.sqrt(variance), eps));
    if (momentum > 0) {
      const buf = this.slot('momentum', p);
      buf.assign(tf.add(tf.mul(buf, momentum), step));
      p.assign(tf.sub(p, tf.mul(buf, lr)));
    } else {
      p.assign(tf.sub(p, tf.mul(step, lr)));
    }
  }
}
