import type { ZodType } from 'zod';

/**
 * A learning-rate schedule for one parameter group, made for that group's base LR.
 * `lr` is the rate to use now. The Trainer calls `step()` after each optimizer step when
 * `interval` is `step`, or after each epoch (after validation) when it is `epoch`; `metric` is
 * the monitored value for schedules that need one (reduce-on-plateau).
 */
export interface LrSchedule {
  readonly interval: 'step' | 'epoch';
  readonly lr: number;
  step(metric?: number): void;
  stateDict(): unknown;
  loadStateDict(state: unknown): void;
}

/** Context a schedule factory gets so it can size itself (cosine over the whole run, one-cycle). */
export interface ScheduleContext {
  readonly baseLr: number;
  readonly stepsPerEpoch: number;
  readonly maxEpochs: number;
  readonly totalSteps: number;
}

export interface LrScheduleFactory<O = Record<string, unknown>> {
  readonly schema: ZodType<O>;
  /** Which metric the schedule reads, if any (e.g. reduce-on-plateau's `monitor`). */
  monitor?(options: O): string | undefined;
  create(options: O, context: ScheduleContext): LrSchedule;
}
