import { KilnError } from '@kiln/core-trainer';
import { z } from 'zod';
import { loadConfig } from '../config/load.js';
import { runConfigSchema } from '../config/schema.js';
import { CliErrorCodes } from '../errors.js';
import type { Io } from '../internal/output.js';
import { stringify } from 'yaml';

/**
 * `kiln config schema`: the JSON Schema of the run config (for editors: point yaml-language-server at it).
 * `kiln config show [--config run.yaml] [overrides]`: the config after overrides and defaults.
 */
export async function configCommand(args: { sub?: string; config?: string; overrides: readonly string[] }, io: Io): Promise<number> {
  if (args.sub === 'schema') {
    io.out(JSON.stringify(z.toJSONSchema(runConfigSchema, { io: 'input', unrepresentable: 'any' }), null, 2));
    return 0;
  }
  if (args.sub === 'show') {
    io.out(stringify(loadConfig(args.config, args.overrides, io.cwd).config));
    return 0;
  }
  throw new KilnError(CliErrorCodes.USAGE, "Use 'kiln config schema' or 'kiln config show [--config run.yaml] [key.path=value ...]'.");
}
