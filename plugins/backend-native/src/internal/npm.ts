import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface NpmResult {
  readonly code: number;
  /** The last lines of npm's combined output, for error messages. */
  readonly tail: string;
}

/**
 * Environment for npm/node-gyp: the headers of the running Node (so node-gyp never downloads them,
 * which fails offline) and no inherited workspace selection from a parent `npm run`.
 */
export function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_config_(workspace|workspaces|include_workspace_root|global|prefix)$/i.test(k)) delete env[k];
  const prefix = dirname(dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
  return env;
}

/**
 * Runs `npm <args>` in `cwd` and resolves with its exit code and output tail (never rejects).
 * @example const r = await runNpm(['install', '--ignore-scripts', '@tensorflow/tfjs-node@4.22.0'], dir)
 */
export function runNpm(args: readonly string[], cwd: string, npm = process.env.KILN_NPM ?? 'npm'): Promise<NpmResult> {
  return new Promise((done) => {
    const lines: string[] = [];
    const child = spawn(npm, [...args], { cwd, env: npmEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim()));
      if (lines.length > 200) lines.splice(0, lines.length - 200);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => done({ code: -1, tail: `could not run ${npm}: ${e.message}` }));
    child.on('close', (code) => done({ code: code ?? -1, tail: lines.slice(-25).join('\n') }));
  });
}
