import * as tf from '@tensorflow/tfjs-core';
import type { Callback, HookContext, Logger } from '@kiln/core-trainer';
import { extrasOf } from './internal/plan.js';
import { type WarnFn, defaultWarn } from './internal/warn.js';

export interface LayerStatisticsOptions {
  /** Compute every N optimizer steps (default 50). */
  readonly everyNSteps?: number;
  /** Which tensors: weights, gradients (when the trainer passes `ctx.grads`), or both (default). */
  readonly include?: readonly ('weights' | 'grads')[];
  readonly loggers?: readonly Logger[];
  readonly warn?: WarnFn;
}

export interface StatsRecord {
  readonly step: number;
  /** `weights/<name>/{mean,std,max}`, `grads/<name>/{mean,std,max,norm}` and `grad_norm` (global L2 norm). */
  readonly values: Readonly<Record<string, number>>;
}

/**
 * Per-weight statistics every N steps: mean, std and max |x| of each weight, and of each gradient
 * with its L2 norm plus the global gradient norm `grad_norm` (the norm clipping compares with;
 * Lightning's grad_norm). All values of one record come from a single read-back. Weight stats are
 * taken at batch end; gradient stats need the trainer to pass `ctx.grads` to `onBeforeOptimizerStep`
 * (warns once and reports weights only otherwise). Records go to `records`, `ctx.log` and `loggers`.
 * @example new LayerStatistics({ everyNSteps: 100, include: ['grads'] })
 */
export class LayerStatistics implements Callback {
  readonly name = 'layer-stats';
  readonly records: StatsRecord[] = [];
  readonly #o: LayerStatisticsOptions;
  readonly #warn: WarnFn;
  #pendingGrads?: Record<string, number>;
  #sawGrads = false;
  #warned = false;

  constructor(options: LayerStatisticsOptions = {}) {
    this.#o = options;
    this.#warn = options.warn ?? defaultWarn;
  }

  #due(step: number): boolean {
    const n = this.#o.everyNSteps ?? 50;
    return n > 0 && step > 0 && step % n === 0;
  }

  #wants(kind: 'weights' | 'grads'): boolean {
    return (this.#o.include ?? ['weights', 'grads']).includes(kind);
  }

  /** Called by the trainer with the step's gradients (before they are applied). */
  onBeforeOptimizerStep(ctx: HookContext): void {
    const grads = extrasOf(ctx).grads;
    if (!grads || !this.#wants('grads')) return;
    this.#sawGrads = true;
    if (!this.#due(ctx.state.globalStep + 1)) return; // the step being taken becomes globalStep + 1
    const names = Object.keys(grads).sort();
    this.#pendingGrads = readStats('grads', names, names.map((n) => grads[n]), true);
  }

  async onBatchEnd(ctx: HookContext): Promise<void> {
    const step = ctx.state.globalStep;
    if (!this.#due(step) || this.records.at(-1)?.step === step) return;
    const values: Record<string, number> = {};
    if (this.#wants('weights')) {
      const ws = ctx.module.model.weights;
      Object.assign(values, readStats('weights', ws.map((w) => w.originalName ?? w.name), ws.map((w) => w.read()), false));
    }
    if (this.#pendingGrads) Object.assign(values, this.#pendingGrads);
    else if (this.#wants('grads') && !this.#sawGrads && !this.#warned) {
      this.#warned = true;
      this.#warn('LayerStatistics: the trainer does not pass gradients (ctx.grads in onBeforeOptimizerStep); reporting weight statistics only.');
    }
    this.#pendingGrads = undefined;
    if (!Object.keys(values).length) return;
    this.records.push({ step, values });
    extrasOf(ctx).log?.(values);
    for (const l of this.#o.loggers ?? []) await l.logMetrics(step, values);
  }
}

/** mean/std/max|x| (and L2 norm) of each tensor, plus the global norm for gradients, in one read-back. */
function readStats(prefix: string, names: string[], tensors: tf.Tensor[], norms: boolean): Record<string, number> {
  if (!tensors.length) return {};
  const per = norms ? 4 : 3;
  const flat = tf.tidy(() => {
    const parts = tensors.map((t) => {
      const x = tf.cast(t, 'float32');
      const { mean, variance } = tf.moments(x);
      const stats = [mean, tf.sqrt(variance), tf.max(tf.abs(x))];
      if (norms) stats.push(tf.sqrt(tf.sum(tf.square(x))));
      return tf.stack(stats);
    });
    return tf.concat(parts);
  });
  const data = flat.dataSync();
  flat.dispose();
  const out: Record<string, number> = {};
  let sq = 0;
  names.forEach((name, i) => {
    const o = i * per;
    out[`${prefix}/${name}/mean`] = data[o];
    out[`${prefix}/${name}/std`] = data[o + 1];
    out[`${prefix}/${name}/max`] = data[o + 2];
    if (norms) {
      out[`${prefix}/${name}/norm`] = data[o + 3];
      sq += data[o + 3] ** 2;
    }
  });
  if (norms) out.grad_norm = Math.sqrt(sq);
  return out;
}
