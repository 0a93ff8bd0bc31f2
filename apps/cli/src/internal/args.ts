import { KilnError } from '@kiln/core-trainer';
import { CliErrorCodes } from '../errors.js';

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Record<string, string | true>;
}

/**
 * Splits argv into positionals and `--flag value` / `--flag=value` / `--bool` flags. `booleans`
 * lists flags that never take a value. Unknown flags are the command's to reject.
 */
export function parseArgs(argv: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = a.slice(2, eq > 0 ? eq : undefined);
      if (eq > 0) flags[key] = a.slice(eq + 1);
      else if (booleans.includes(key) || i + 1 >= argv.length || argv[i + 1].startsWith('--')) flags[key] = true;
      else flags[key] = argv[++i];
    } else if (a === '-h') flags.help = true;
    else if (a === '-v') flags.verbose = true;
    else positionals.push(a);
  }
  return { positionals, flags };
}

/** Throws KILN_CLI_USAGE for flags the command does not know. */
export function checkFlags(flags: Record<string, unknown>, allowed: readonly string[], command: string): void {
  const unknown = Object.keys(flags).filter((f) => !allowed.includes(f));
  if (unknown.length) {
    throw new KilnError(CliErrorCodes.USAGE, `Unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `--${u}`).join(', ')} for 'kiln ${command}'. Allowed: ${allowed.map((a) => `--${a}`).join(', ')}. See 'kiln ${command} --help'.`);
  }
}
