import { loadConfig } from '../config/load.js';
import type { Io } from '../internal/output.js';
import { withPlugins } from '../internal/session.js';
import { table } from './plugins.js';

/** `kiln doctor`: Node version, every backend and whether it can run here, and which `auto` picks and why. */
export async function doctor(args: { config?: string; overrides: readonly string[] }, io: Io): Promise<number> {
  const { config, baseDir } = loadConfig(args.config, args.overrides, io.cwd);
  return withPlugins(config, baseDir, async (host) => {
    io.out(`node ${process.version} on ${process.platform}-${process.arch}`);
    const providers = host.registries.backends.entries().map((e) => ({ ...e, p: e.value })).sort((a, b) => b.p.priority - a.p.priority);
    const rows: string[][] = [];
    let chosen: string | undefined;
    for (const { p, plugin } of providers) {
      const probe = await p.probe();
      if (probe.ok && !chosen) chosen = p.name;
      rows.push([p.name, String(p.priority), plugin, probe.ok ? `available${probe.detail ? ` (${probe.detail})` : ''}` : `unavailable: ${probe.reason}${probe.fix ? ` — fix: ${probe.fix}` : ''}`]);
    }
    io.out(table(['backend', 'priority', 'plugin', 'status'], rows));
    io.out(chosen ? `backend: auto would choose '${chosen}': the highest-priority backend that is available.` : 'No backend is available.');
    return chosen ? 0 : 3;
  });
}
