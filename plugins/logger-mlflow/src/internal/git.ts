import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The commit (and branch) of the git checkout holding `start`, read from `.git` without running git; undefined outside one. */
export function gitInfo(start: string): { commit: string; branch?: string } | undefined {
  try {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const dotgit = join(dir, '.git');
      if (existsSync(dotgit)) return readCheckout(dotgit);
      if (dirname(dir) === dir) return undefined;
    }
  } catch {
    return undefined;
  }
}

function readCheckout(dotgit: string): { commit: string; branch?: string } | undefined {
  let gitDir = dotgit;
  if (statSync(dotgit).isFile()) {
    const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotgit, 'utf8'));
    if (!m) return undefined;
    gitDir = resolve(dirname(dotgit), m[1]!.trim());
  }
  const commonFile = join(gitDir, 'commondir');
  const common = existsSync(commonFile) ? resolve(gitDir, readFileSync(commonFile, 'utf8').trim()) : gitDir;
  const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
  if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(head)) return { commit: head };
  const ref = /^ref:\s*(.+)$/.exec(head)?.[1]?.trim();
  if (!ref) return undefined;
  const branch = ref.replace(/^refs\/heads\//, '');
  for (const dir of [gitDir, common]) {
    const file = join(dir, ref);
    if (existsSync(file)) return { commit: readFileSync(file, 'utf8').trim(), branch };
  }
  const packed = join(common, 'packed-refs');
  if (!existsSync(packed)) return undefined;
  for (const line of readFileSync(packed, 'utf8').split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha && /^[0-9a-f]{40}/.test(sha)) return { commit: sha, branch };
  }
  return undefined;
}
