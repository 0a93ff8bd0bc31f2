import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The two tfjs-node flavours. */
export type Flavour = 'cpu' | 'gpu';

export const TFJS_NODE_VERSION = '4.22.0';

export function packageName(flavour: Flavour): string {
  return flavour === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
}

/** The exact command that installs a flavour (`--from` for machines without internet). */
export function installCommand(flavour: Flavour, from?: string): string {
  return `npx kiln backend install native${flavour === 'gpu' ? ' --gpu' : ''}${from ? ` --from ${from}` : ''}`;
}

/** Fix text for a missing or broken package: the online command and the offline one. */
export function installFix(flavour: Flavour): string {
  const wheel = flavour === 'gpu' ? 'tensorflow' : 'tensorflow-cpu';
  return `${installCommand(flavour)}   (offline: \`pip download --no-deps ${wheel}==2.21.0 -d tfwheel\` on any machine with pip, then ${installCommand(flavour, 'tfwheel/<the .whl file>')})`;
}

/**
 * Directories whose node_modules are searched for tfjs-node, in order: the caller's list, then the
 * current directory, then this plugin's own location (where an optional peer dependency lives).
 */
export function searchRoots(extra: readonly string[] = []): string[] {
  const own = dirname(fileURLToPath(import.meta.url));
  return [...extra.map((d) => resolve(d)), process.cwd(), own];
}

/** The package folder of `name` as Node would resolve it from one of `roots`, or undefined. */
export function resolvePackageDir(name: string, roots: readonly string[]): string | undefined {
  for (const root of roots) {
    try {
      const req = createRequire(pathToFileURL(join(root, 'noop.js')).href);
      return dirname(req.resolve(`${name}/package.json`));
    } catch {
      // not resolvable from this root
    }
  }
  return undefined;
}

/** The built binding (`lib/napi-v*\/tfjs_binding.node`, newest N-API version first), or undefined. */
export function findBinding(packageDir: string): string | undefined {
  const lib = join(packageDir, 'lib');
  if (!existsSync(lib)) return undefined;
  const dirs = readdirSync(lib).filter((d) => /^napi-v\d+$/.test(d)).sort((a, b) => Number(b.slice(6)) - Number(a.slice(6)));
  for (const d of dirs) {
    const p = join(lib, d, 'tfjs_binding.node');
    if (existsSync(p)) return p;
  }
  return undefined;
}
