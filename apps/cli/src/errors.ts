import type { KilnErrorCode } from '@kiln/core-trainer';

/** Codes raised by the CLI itself (config codes are in config/load.ts, plugin loading in internal/plugins.ts). */
export const CliErrorCodes = {
  USAGE: 'KILN_CLI_USAGE', // an unknown option or a missing argument on the command line: see 'kiln <command> --help'
} as const satisfies Record<string, KilnErrorCode>;
