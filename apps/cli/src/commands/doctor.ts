import { KilnError, describeChoice, formatKernelTable, kernelTable, selectBackend } from '@kiln/core-trainer';
import { loadConfig } from '../config/load.js';
import { buildData, preflightStep, resolveRun } from '../internal/assemble.js';
import type { Io } from '../internal/output.js';
import { withPlugins } from '../internal/session.js';
import { table } from './plugins.js';

/**
 * `kiln doctor`: Node, every backend with its status (and the fix for an unavailable one), which one
 * `backend: auto` picks for the config's model and why (kernel preflight included), and the
 * kernels of that model's training step that some backend lacks.
 */
export async function doctor(args: { config?: string; overrides: readonly string[] }, io: Io): Promise<number> {
  const { config, baseDir } = loadConfig(args.config, args.overrides, io.cwd);
  return withPlugins(config, baseDir, async (host) => {
    io.out(`node ${process.version} on ${process.platform}-${process.arch}`);
    const providers = host.registries.backends.entries().sort((a, b) => b.value.priority - a.value.priority);
    const rows: string[][] = [];
    for (const { value: p, plugin } of providers) {
      const probe = await p.probe();
      rows.push([p.name, String(p.priority), plugin, probe.ok ? `available${probe.detail ? ` (${probe.detail})` : ''}` : `unavailable: ${probe.reason}${probe.fix ? ` — fix: ${probe.fix}` : ''}`]);
    }
    io.out(table(['backend', 'priority', 'plugin', 'status'], rows));
    const run = resolveRun(host, config);
    const data = await buildData(config, run, baseDir);
    let kernels: readonly string[] = [];
    try {
      const choice = await selectBackend(providers.map((e) => e.value), 'auto', {
        options: config.backendOptions,
        check: async (info) => { kernels = await preflightStep(config, run, data, info.tfBackend); },
      });
      io.out(`auto → ${describeChoice(choice)}`);
    } catch (e) {
      io.out(`auto → no backend can train '${run.model.name}' here: ${(e as KilnError).message}`);
      return 3;
    }
    io.out(`The training step of model '${run.model.name}' uses ${kernels.length} kernels; those some registered backend lacks:`);
    io.out(formatKernelTable(kernelTable({ kernels }), { gapsOnly: true }));
    return 0;
  });
}
