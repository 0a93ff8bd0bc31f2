import { type Registries } from '@kiln/core-trainer';
import { loadConfig } from '../config/load.js';
import type { Io } from '../internal/output.js';
import { withPlugins } from '../internal/session.js';

/** `kiln plugins`: every loaded plugin (name, version, where from) and what each registered. */
export async function listPlugins(args: { config?: string; overrides: readonly string[] }, io: Io): Promise<number> {
  const { config, baseDir } = loadConfig(args.config, args.overrides, io.cwd);
  return withPlugins(config, baseDir, async (host) => {
    const provided = new Map<string, string[]>();
    for (const [kind, registry] of Object.entries(host.registries) as [keyof Registries, Registries[keyof Registries]][]) {
      for (const e of registry.entries()) provided.set(e.plugin, [...(provided.get(e.plugin) ?? []), `${registry.kind} ${e.name}`]);
      void kind;
    }
    const rows = host.plugins.map((p) => [p.name, p.version ?? '-', p.source, (provided.get(p.name) ?? []).join(', ')]);
    io.out(table(['plugin', 'version', 'from', 'provides'], rows));
    return 0;
  });
}

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => Math.min(60, r[i].length))));
  const fmt = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [fmt(head), ...rows.map(fmt)].join('\n');
}
