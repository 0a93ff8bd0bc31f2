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
  const s = ctx.state as unknown as Record<string, unknown>;
  const num = (k: string): number | undefined => (typeof s[k] === 'number' && Number.isFinite(s[k]) ? (s[k] as number) : undefined);
  return { maxEpochs: num('maxEpochs'), stepsPerEpoch: num('stepsPerEpoch'), totalSteps: num('totalSteps') };
}

/** A clock in milliseconds; tests pass a fake one. */
export type Clock = () => number;
export const defaultClock: Clock = () => performance.now();
