import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { redactSecrets } from '@kiln/loggers';
import { stringify } from 'yaml';

/**
 * Creates a new run directory `<dir>/<name>`; if it exists, `<name>-2`, `<name>-3`… so a new run
 * never writes into an earlier run's files.
 */
export function createRunDir(outputDir: string, name: string, cwd: string): { runDir: string; runName: string } {
  const base = resolve(cwd, outputDir);
  mkdirSync(base, { recursive: true });
  for (let i = 1; ; i++) {
    const runName = i === 1 ? name : `${name}-${i}`;
    const runDir = join(base, runName);
    if (existsSync(runDir)) continue;
    try {
      mkdirSync(runDir); // not recursive: fails if another process took the name meanwhile
      return { runDir, runName };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Writes the resolved config as `config.yaml`, with secret-looking values replaced by `***`. */
export function writeConfigYaml(runDir: string, config: unknown): void {
  writeFileSync(join(runDir, 'config.yaml'), stringify(redactSecrets(config as Record<string, unknown>)));
}
