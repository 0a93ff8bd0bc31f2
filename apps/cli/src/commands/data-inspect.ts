import { resolve } from 'node:path';
import { inspectData } from '@kiln/data';
import { loadConfig } from '../config/load.js';
import { resolveRun } from '../internal/assemble.js';
import type { Io } from '../internal/output.js';
import { withPlugins } from '../internal/session.js';
import { table } from './plugins.js';

/**
 * `kiln data inspect [--config run.yaml] [--out dir]`: counts per split and class, the group /
 * duplicate leakage check, image sizes, bad samples, and a PNG grid of augmented training samples.
 * Exit 0 when clean, 2 when samples leak across splits.
 */
export async function dataInspect(args: { config?: string; overrides: readonly string[]; out?: string }, io: Io): Promise<number> {
  const { config, baseDir } = loadConfig(args.config, args.overrides, io.cwd);
  return withPlugins(config, baseDir, async (host) => {
    const run = resolveRun(host, config);
    const { train, val } = await run.data.factory.create(run.data.options, { seed: config.seed, cwd: baseDir });
    const outDir = resolve(io.cwd, args.out ?? 'data-inspect');
    const report = await inspectData({ splits: val ? { train, val } : { train }, outDir });
    const classes = [...new Set(Object.values(report.splits).flatMap((s) => Object.keys(s.classCounts)))];
    const splits = Object.keys(report.splits);
    io.out(table(['class', ...splits], classes.map((c) => [c, ...splits.map((s) => String(report.splits[s].classCounts[c] ?? 0))])));
    io.out(table(['split', 'samples', 'image sizes', 'groups'], splits.map((s) => {
      const r = report.splits[s];
      return [s, String(r.size), r.imageSizes.map((z) => `${z.width}×${z.height} (${z.count})`).join(', '), r.groups === undefined ? '-' : String(r.groups)];
    })));
    if (report.classWeights) io.out(`balanced class weights (from train): ${report.classWeights.map((w) => w.toFixed(3)).join(', ')}`);
    for (const b of report.badSamples) io.out(`bad sample ${b.code}: ${b.file ?? ''}${b.row !== undefined ? ` row ${b.row}` : ''} — ${b.message}`);
    if (report.leakage.ok) io.out('leakage check: no group or file is in more than one split');
    for (const g of report.leakage.groups) io.out(`LEAK: group '${g.group}' is in ${g.splits.join(' and ')}`);
    for (const d of report.leakage.duplicates) io.out(`LEAK: ${d.files.join(', ')} in ${d.splits.join(' and ')} (same ${d.by})`);
    if (report.gridFile) io.out(`augmented samples: ${report.gridFile}`);
    return report.leakage.ok ? 0 : 2;
  });
}
