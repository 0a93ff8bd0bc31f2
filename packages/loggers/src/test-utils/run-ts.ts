import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const register = fileURLToPath(new URL('./ts-register.mjs', import.meta.url));

/** Spawns `node` on a TypeScript file of this repo (sources resolved via the @kiln/source condition). */
export function spawnTs(file: string, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ['--conditions=@kiln/source', '--import', register, file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}
