import { KilnError, type KilnErrorCode } from '@kiln/core-trainer';

/** Error codes owned by @kiln/schedulers. */
export const ScheduleErrorCodes = {
  INVALID_OPTION: 'KILN_SCHEDULE_INVALID_OPTION', // a schedule option is outside its valid range (e.g. gamma <= 0, tMax < 1): the message names the option and range
  UNKNOWN: 'KILN_SCHEDULE_UNKNOWN', // a schedule name (e.g. the one wrapped by warmup) is not known: use one of the listed names
  WARMUP_TOO_LONG: 'KILN_SCHEDULE_WARMUP_TOO_LONG', // warmup is as long as or longer than the whole run: shorten warmup or train longer
  METRIC_MISSING: 'KILN_SCHEDULE_METRIC_MISSING', // reduce-on-plateau was stepped without a finite monitored value: check that its 'monitor' metric is logged every epoch
  STATE_INVALID: 'KILN_SCHEDULE_STATE_INVALID', // loadStateDict got state saved by a different schedule: resume with the same schedule options
} as const satisfies Record<string, KilnErrorCode>;

export function scheduleError(code: KilnErrorCode, message: string, details: Record<string, unknown> = {}): never {
  throw new KilnError(code, message, { details });
}

/** Throws KILN_SCHEDULE_INVALID_OPTION unless `ok`; `range` describes the valid values. */
export function checkOption(schedule: string, argument: string, value: unknown, ok: boolean, range: string): void {
  if (!ok) {
    scheduleError(ScheduleErrorCodes.INVALID_OPTION, `Schedule '${schedule}': ${argument} = ${JSON.stringify(value)} is invalid; it must be ${range}.`,
      { argument, value, validRange: range });
  }
}
