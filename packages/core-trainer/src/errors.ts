/**
 * Every error Kiln throws on purpose is a `KilnError` with a stable `code` of the form
 * `KILN_<AREA>_<WHAT>`; docs/errors.md lists them all. Messages say what went wrong, where
 * (file, field, plugin) and what to do. `details` carries machine-readable context and must
 * never hold secrets.
 */
export type KilnErrorCode = `KILN_${string}`;

export class KilnError extends Error {
  override readonly name = 'KilnError';
  readonly code: KilnErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: KilnErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True when `e` is a KilnError, optionally with the given code. */
export function isKilnError(e: unknown, code?: KilnErrorCode): e is KilnError {
  return e instanceof Error && (e as { name?: string }).name === 'KilnError' && typeof (e as KilnError).code === 'string' &&
    (code === undefined || (e as KilnError).code === code);
}

/** Codes owned by @kiln/core-trainer. */
export const CoreErrorCodes = {
  PLUGIN_DUPLICATE: 'KILN_PLUGIN_DUPLICATE',
  PLUGIN_MISSING_DEP: 'KILN_PLUGIN_MISSING_DEP',
  PLUGIN_INVALID: 'KILN_PLUGIN_INVALID',
  REGISTRY_DUPLICATE: 'KILN_REGISTRY_DUPLICATE',
  REGISTRY_UNKNOWN: 'KILN_REGISTRY_UNKNOWN',
  OPTIONS_INVALID: 'KILN_OPTIONS_INVALID',
  DI_UNRESOLVED: 'KILN_DI_UNRESOLVED',
  TRAINER_INVALID_OPTION: 'KILN_TRAINER_INVALID_OPTION',
  TRAINER_NAN_LOSS: 'KILN_TRAINER_NAN_LOSS',
  TRAINER_EMPTY_DATA: 'KILN_TRAINER_EMPTY_DATA',
  CALLBACK_FAILED: 'KILN_CALLBACK_FAILED',
  RNG_STATE_INVALID: 'KILN_RNG_STATE_INVALID',
  OPTIMIZER_UNKNOWN: 'KILN_OPTIMIZER_UNKNOWN',
  OPTIMIZER_STATE_INVALID: 'KILN_OPTIMIZER_STATE_INVALID',
} as const satisfies Record<string, KilnErrorCode>;
