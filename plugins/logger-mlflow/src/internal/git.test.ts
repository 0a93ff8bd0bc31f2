import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitInfo } from './git.js';

const SHA = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);

function repo(): string {
  const root = mkdtempSync(join(tmpdir(), 'kiln-git-'));
  mkdirSync(join(root, '.git', 'refs', 'heads'), { recursive: true });
  mkdirSync(join(root, 'sub', 'dir'), { recursive: true });
  return root;
}

describe('gitInfo reads the checkout without running git', () => {
  it('follows HEAD to a loose ref, from a subfolder', () => {
    const root = repo();
    writeFileSync(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(root, '.git', 'refs', 'heads', 'main'), `${SHA}\n`);
    expect(gitInfo(join(root, 'sub', 'dir'))).toEqual({ commit: SHA, branch: 'main' });
  });

  it('reads packed-refs, a detached HEAD, and a worktree .git file', () => {
    const root = repo();
    writeFileSync(join(root, '.git', 'HEAD'), 'ref: refs/heads/feature/x\n');
    writeFileSync(join(root, '.git', 'packed-refs'), `# pack-refs with: peeled\n${SHA2} refs/heads/feature/x\n`);
    expect(gitInfo(root)).toEqual({ commit: SHA2, branch: 'feature/x' });
    writeFileSync(join(root, '.git', 'HEAD'), `${SHA}\n`);
    expect(gitInfo(root)).toEqual({ commit: SHA });
    const wt = mkdtempSync(join(tmpdir(), 'kiln-wt-'));
    const wtGit = join(root, '.git', 'worktrees', 'w');
    mkdirSync(wtGit, { recursive: true });
    writeFileSync(join(wtGit, 'HEAD'), 'ref: refs/heads/feature/x\n');
    writeFileSync(join(wtGit, 'commondir'), '../..\n');
    writeFileSync(join(wt, '.git'), `gitdir: ${wtGit}\n`);
    expect(gitInfo(wt)).toEqual({ commit: SHA2, branch: 'feature/x' });
  });

  it('is undefined outside a checkout, and agrees with `git rev-parse HEAD` where git runs', () => {
    expect(gitInfo(mkdtempSync(join(tmpdir(), 'kiln-nogit-')))).toBeUndefined();
    let head: string | undefined;
    try {
      head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: process.cwd(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      console.log('git rev-parse unavailable here: the cross-check with git is skipped');
    }
    if (head) expect(gitInfo(process.cwd())?.commit).toBe(head);
  });
});
