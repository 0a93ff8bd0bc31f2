import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { KilnError } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';

/** What the leakage check needs to know of a sample. */
export interface LeakageItem {
  readonly path?: string;
  readonly group?: string;
}

export interface LeakageReport {
  /** Groups with samples in more than one split. */
  readonly groups: { readonly group: string; readonly splits: string[] }[];
  /** Files in more than one split: the same path, or (with `content`) the same bytes under other names. */
  readonly duplicates: { readonly files: string[]; readonly splits: string[]; readonly by: 'path' | 'content' }[];
  readonly ok: boolean;
}

/**
 * Finds groups and files shared between splits. With `content: true` files are also compared by
 * SHA-1 of their bytes, which finds copies under other names (reads every file once).
 * @example const r = await checkLeakage({ train: trainItems, val: valItems }); r.ok
 */
export async function checkLeakage(splits: Readonly<Record<string, readonly LeakageItem[]>>, options: { readonly content?: boolean } = {}): Promise<LeakageReport> {
  const groupSplits = new Map<string, Set<string>>();
  const pathSplits = new Map<string, Set<string>>();
  for (const [name, items] of Object.entries(splits)) {
    for (const it of items) {
      if (it.group !== undefined) groupSplits.set(it.group, (groupSplits.get(it.group) ?? new Set()).add(name));
      if (it.path !== undefined) pathSplits.set(it.path, (pathSplits.get(it.path) ?? new Set()).add(name));
    }
  }
  const groups = [...groupSplits].filter(([, s]) => s.size > 1).map(([group, s]) => ({ group, splits: [...s] }));
  const duplicates: LeakageReport['duplicates'][number][] = [...pathSplits].filter(([, s]) => s.size > 1).map(([f, s]) => ({ files: [f], splits: [...s], by: 'path' as const }));
  if (options.content) {
    const byHash = new Map<string, { files: Set<string>; splits: Set<string> }>();
    for (const [path, s] of pathSplits) {
      const h = createHash('sha1').update(await readFile(path)).digest('hex');
      const e = byHash.get(h) ?? { files: new Set(), splits: new Set() };
      e.files.add(path);
      s.forEach((x) => e.splits.add(x));
      byHash.set(h, e);
    }
    for (const e of byHash.values()) {
      if (e.files.size > 1 && e.splits.size > 1) duplicates.push({ files: [...e.files], splits: [...e.splits], by: 'content' });
    }
  }
  return { groups, duplicates, ok: groups.length === 0 && duplicates.length === 0 };
}

/**
 * Throws KILN_DATA_GROUP_LEAK (or KILN_DATA_DUPLICATE) naming the first few offenders when the report is not ok.
 * @example assertNoLeakage(await checkLeakage({ train, val }));
 */
export function assertNoLeakage(r: LeakageReport): void {
  if (r.groups.length) {
    const list = r.groups.slice(0, 5).map((g) => `'${g.group}' (${g.splits.join(', ')})`).join(', ');
    throw new KilnError(DataErrorCodes.GROUP_LEAK, `${r.groups.length} group(s) have samples in more than one split: ${list}. Split by group (split.method: grouped) or fix the split column.`,
      { details: { groups: r.groups.slice(0, 20) } });
  }
  if (r.duplicates.length) {
    const list = r.duplicates.slice(0, 5).map((d) => `${d.files.join(' = ')} (${d.splits.join(', ')})`).join('; ');
    throw new KilnError(DataErrorCodes.DUPLICATE, `${r.duplicates.length} file(s) are in more than one split: ${list}. Remove each from all but one split.`,
      { details: { file: r.duplicates[0].files[0], duplicates: r.duplicates.slice(0, 20) } });
  }
}
