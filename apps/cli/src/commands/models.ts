import { KilnError, describeModel, formatModelDescription } from '@kiln/core-trainer';
import { applyOverride, loadConfig } from '../config/load.js';
import { CliErrorCodes } from '../errors.js';
import { resolveRun } from '../internal/assemble.js';
import type { Io } from '../internal/output.js';
import { withPlugins } from '../internal/session.js';
import { table } from './plugins.js';

/**
 * `kiln models list` and `kiln models describe <name> [option=value …] [--input HxWxC] [--classes N]
 * [--task classification|multilabel|segmentation]`: layers, output shapes and parameter counts
 * (trainable and not) of a model built with those options, on the cpu backend.
 */
export async function models(args: { sub?: string; rest: readonly string[]; flags: Record<string, string | true>; config?: string }, io: Io): Promise<number> {
  const { config, baseDir } = loadConfig(args.config, [], io.cwd);
  return withPlugins(config, baseDir, async (host) => {
    if (args.sub === 'list' || args.sub === undefined) {
      io.out(table(['model', 'plugin', 'description'], host.registries.models.entries().map((e) => [e.name, e.plugin, e.value.description ?? ''])));
      return 0;
    }
    if (args.sub !== 'describe' || !args.rest[0]) throw new KilnError(CliErrorCodes.USAGE, "Use 'kiln models list' or 'kiln models describe <name> [option=value …]'.");
    const model: Record<string, unknown> = { name: args.rest[0] };
    for (const o of args.rest.slice(1)) applyOverride(model, o);
    const entry = resolveRun(host, { ...config, model: model as { name: string } }).model;
    const inputShape = parseShape(args.flags.input);
    const numClasses = args.flags.classes === undefined ? 1000 : Number(args.flags.classes);
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new KilnError(CliErrorCodes.USAGE, `--classes must be a positive integer (got ${args.flags.classes}).`);
    const task = (typeof args.flags.task === 'string' ? args.flags.task : 'classification') as 'classification';
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const built = entry.factory.create(entry.options, { inputShape, numClasses, task });
    io.out(formatModelDescription(describeModel(built)));
    built.dispose();
    return 0;
  });
}

function parseShape(v: string | true | undefined): [number, number, number] {
  if (v === undefined) return [224, 224, 3];
  const parts = String(v).split(/[x×,]/).map(Number);
  if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new KilnError(CliErrorCodes.USAGE, `--input must be HxWxC, e.g. 224x224x3 (got ${v}).`);
  }
  return parts as [number, number, number];
}
