import { type KilnErrorCode, KilnError } from '../errors.js';

/** Codes of the optimizers (to be merged into CoreErrorCodes by the core-trainer owner). */
export const OptimErrorCodes = {
  INVALID_OPTION: 'KILN_OPTIMIZER_INVALID_OPTION', // an optimizer or clipping option is out of range (e.g. momentum < 0, Nesterov without momentum, maxNorm <= 0): the message names it
} as const satisfies Record<string, KilnErrorCode>;

/** Throws KILN_OPTIMIZER_INVALID_OPTION unless `ok`, naming the argument and its valid range. */
export function checkOptimOption(optimizer: string, argument: string, value: unknown, ok: boolean, range: string): void {
  if (!ok) {
    throw new KilnError(OptimErrorCodes.INVALID_OPTION, `Optimizer '${optimizer}': ${argument} = ${JSON.stringify(value)} is invalid; it must be ${range}.`,
      { details: { argument, value, validRange: range } });
  }
}
