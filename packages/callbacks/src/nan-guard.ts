import * as tf from '@tensorflow/tfjs-core';
import { type Callback, type HookContext, KilnError } from '@kiln/core-trainer';
import { CallbackErrorCodes } from './errors.js';
import { firstNonFiniteWeight, markUnhealthy, nonFiniteKeys } from './internal/health.js';
import { extrasOf } from './internal/plan.js';
import { type WarnFn, defaultWarn } from './internal/warn.js';

export interface NaNGuardOptions {
  /** Also check every weight for NaN/Inf every N optimizer steps (one read-back; default 0 = only at epoch end). */
  readonly checkWeightsEveryNSteps?: number;
  /** Check gradients every N steps when the trainer passes them (`ctx.grads` in onBeforeOptimizerStep; default 1). */
  readonly checkGradsEveryNSteps?: number;
  /** `stop` (default): `ctx.stop('nan_loss')`; `raise`: throw KILN_CALLBACK_NAN_DETECTED. */
  readonly action?: 'stop' | 'raise';
  readonly warn?: WarnFn;
}

/**
 * Stops training at the first NaN/Inf in a logged value (loss, metrics — checked whenever values
 * are logged), in the gradients (when the trainer passes them) or in the weights, with a message
 * saying what, where and what to do. It marks the model broken so ModelCheckpoint never saves it:
 * the last good checkpoint is kept.
 * @example new NaNGuard({ checkWeightsEveryNSteps: 100 })
 */
export class NaNGuard implements Callback {
  readonly name = 'nan-guard';
  /** The message once it tripped. */
  message?: string;
  readonly #o: NaNGuardOptions;
  readonly #warn: WarnFn;

  constructor(options: NaNGuardOptions = {}) {
    this.#o = options;
    this.#warn = options.warn ?? defaultWarn;
  }

  onBatchEnd(ctx: HookContext): void {
    const n = this.#o.checkWeightsEveryNSteps ?? 0;
    this.#check(ctx, n > 0 && ctx.state.globalStep % n === 0);
  }

  onBeforeOptimizerStep(ctx: HookContext): void {
    const grads = extrasOf(ctx).grads;
    const n = this.#o.checkGradsEveryNSteps ?? 1;
    if (this.message || !grads || n <= 0 || (ctx.state.globalStep + 1) % n !== 0) return;
    const names = Object.keys(grads);
    if (!names.length) return;
    const flags = tf.tidy(() => tf.stack(names.map((k) => tf.all(tf.isFinite(grads[k])))).dataSync());
    const bad = flags.findIndex((f) => !f);
    if (bad >= 0) this.#trip(ctx, `the gradient of ${names[bad]} is NaN/Inf`);
  }

  onValidationEnd(ctx: HookContext): void {
    this.#check(ctx, false);
  }

  onEpochEnd(ctx: HookContext): void {
    this.#check(ctx, true);
  }

  #check(ctx: HookContext, weights: boolean): void {
    if (this.message) return;
    const keys = nonFiniteKeys(ctx.logs);
    if (keys.length) return this.#trip(ctx, keys.map((k) => `${k} is ${ctx.logs[k]}`).join(', '));
    const w = weights ? firstNonFiniteWeight(ctx.module.model) : undefined;
    if (w) this.#trip(ctx, `weight ${w} holds NaN/Inf`);
  }

  #trip(ctx: HookContext, what: string): void {
    const { epoch, globalStep, batchInEpoch } = ctx.state;
    markUnhealthy(ctx.module.model, what);
    this.message = `NaNGuard: ${what} at epoch ${epoch + 1}, step ${globalStep} (batch ${batchInEpoch} of the epoch). Training stopped; ` +
      'the last good checkpoint is kept. Lower the learning rate, clip gradients (gradientClipVal) or check the inputs for NaN.';
    this.#warn(this.message);
    if (this.#o.action === 'raise') throw new KilnError(CallbackErrorCodes.NAN_DETECTED, this.message, { details: { epoch, globalStep, what } });
    ctx.stop('nan_loss');
  }
}
