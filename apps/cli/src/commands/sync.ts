import { join } from 'node:path';
import { CliErrorCodes } from '../errors.js';
import { KilnError } from '@kiln/core-trainer';
import { loadConfig } from '../config/load.js';
import { resolveRun } from '../internal/assemble.js';
import type { Io } from '../internal/output.js';
import { withPlugins } from '../internal/session.js';
import { locateRunDir } from '../internal/resume.js';

/**
 * `kiln sync <run dir>`: delivers what the run's remote loggers left in `outbox/` (server down,
 * process killed), exactly once. Exit 0 when nothing remains, 3 when some events are still undelivered.
 */
export async function sync(args: { run?: string }, io: Io): Promise<number> {
  if (!args.run) throw new KilnError(CliErrorCodes.USAGE, "kiln sync needs a run directory: 'kiln sync runs/<name>'.");
  const runDir = locateRunDir(args.run, io.cwd);
  const { config, baseDir } = loadConfig(join(runDir, 'config.yaml'), [], io.cwd);
  return withPlugins(config, baseDir, async (host) => {
    const run = resolveRun(host, config);
    const ctx = { runDir, runName: config.name ?? runDir.split('/').pop()!, resumed: true, env: io.env };
    let remaining = 0;
    let remote = 0;
    for (const l of run.loggers) {
      if (!l.factory.replay) continue;
      remote += 1;
      const r = await l.factory.replay(l.options, ctx);
      remaining += r.remaining;
      io.out(`${l.name}: delivered ${r.delivered} event(s), ${r.remaining} remaining`);
    }
    if (!remote) io.out('This run has no remote loggers (wandb, mlflow): nothing to sync.');
    return remaining ? 3 : 0;
  });
}
