import type { HookContext } from '@kiln/core-trainer';

/**
 * Run sizes a callback may use when the trainer provides them. They are read from optional
 * fields of `ctx.state` (`maxEpochs`, `stepsPerEpoch`, `totalSteps`), which the loop state may
 * carry in addition to the LoopState contract; absent ones are undefined.
 */
export interface RunPlan {
  readonly maxEpochs?: number;
  readonly stepsPerEpoch?: number;
  readonly totalSteps?: number;
}

export function planOf(ctx: HookContext): RunPlan {
  const s = ctx.state;
  const num = (v: number | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  // The progress shown per epoch counts batches (micro-batches when accumulating), as the loop does.
  return { maxEpochs: num(s.maxEpochs), stepsPerEpoch: num(s.batchesPerEpoch), totalSteps: num(s.totalSteps) };
}

/** A clock in milliseconds; tests pass a fake one. */
export type Clock = () => number;
export const defaultClock: Clock = () => performance.now();

/**
 * Optional context fields a trainer may provide beyond the HookContext contract (requested from
 * core-trainer): gradients during `onBeforeOptimizerStep`, the optimizer, a way to log extra
 * values at the current step, and the dispatcher's hook timings. Callbacks degrade without them.
 */
export interface ContextExtras {
  /** Gradients keyed by variable name, valid only during the hook; never dispose them. */
  readonly grads?: Readonly<Record<string, import('@tensorflow/tfjs-core').Tensor>>;
  readonly optimizer?: import('@kiln/core-trainer').Optimizer;
  log?(values: Readonly<Record<string, number>>): void;
  readonly hookTimings?: ReadonlyMap<string, { calls: number; totalMs: number }>;
}

export function extrasOf(ctx: HookContext): ContextExtras {
  return ctx as unknown as ContextExtras;
}
