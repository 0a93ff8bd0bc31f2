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
  PLUGIN_DUPLICATE: 'KILN_PLUGIN_DUPLICATE', // the same plugin is loaded twice: remove one entry from 'plugins'
  PLUGIN_MISSING_DEP: 'KILN_PLUGIN_MISSING_DEP', // a plugin's dependsOn names a plugin that is not loaded (or they form a cycle): add it to 'plugins'
  PLUGIN_INVALID: 'KILN_PLUGIN_INVALID', // a module's default export is not a plugin made by definePlugin({ name, setup })
  REGISTRY_DUPLICATE: 'KILN_REGISTRY_DUPLICATE', // two plugins register the same model/loss/… name: rename one or load only one
  REGISTRY_UNKNOWN: 'KILN_REGISTRY_UNKNOWN', // a config names a model/loss/metric/… that no loaded plugin provides: the message lists what is available
  TRAINER_INVALID_OPTION: 'KILN_TRAINER_INVALID_OPTION', // a Trainer option is unknown or out of range, or a parameter group matches no layer
  TRAINER_NAN_LOSS: 'KILN_TRAINER_NAN_LOSS', // the training loss became NaN or Inf: lower the LR, clip gradients, check the data
  TRAINER_EMPTY_DATA: 'KILN_TRAINER_EMPTY_DATA', // the training data yields no batch: check the dataset and batchSize
  CALLBACK_FAILED: 'KILN_CALLBACK_FAILED', // a callback threw: the message names the callback and the hook
  RNG_STATE_INVALID: 'KILN_RNG_STATE_INVALID', // a saved RNG state is not four uint32 words: the checkpoint is damaged
  OPTIMIZER_STATE_INVALID: 'KILN_OPTIMIZER_STATE_INVALID', // optimizer state in a checkpoint does not fit this model or optimizer
} as const satisfies Record<string, KilnErrorCode>;
