import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { KilnError } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';
import type { ImageRecord } from '../pipeline/pipeline.js';
import type { BadSampleCollector } from './bad-samples.js';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Image files under `dir` (recursively), sorted by path. */
export async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => byName(a.name, b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listImages(p)));
    else if (e.isFile() && (IMAGE_EXTENSIONS as readonly string[]).includes(extname(e.name).toLowerCase())) out.push(p);
  }
  return out;
}

/** Throws KILN_DATA_MISSING_FILE unless `dir` is a directory. */
export async function requireDir(dir: string, option: string): Promise<void> {
  const ok = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!ok) throw new KilnError(DataErrorCodes.MISSING_FILE, `Folder '${dir}' (option '${option}') does not exist.`, { details: { file: dir, option } });
}

/**
 * Indexes an image folder with one subfolder per class (`root/<class>/**.png|jpg`). Classes are
 * the subfolder names, sorted, unless `classes` fixes the list and order (then a missing or extra
 * folder is an error). An empty class is reported (KILN_DATA_EMPTY_CLASS) to `bad`.
 * @example const { records, classNames } = await scanImageFolder('data/train', bad);
 */
export async function scanImageFolder(root: string, bad: BadSampleCollector, classes?: readonly string[]): Promise<{ records: ImageRecord[]; classNames: string[] }> {
  const dir = resolve(root);
  await requireDir(dir, 'root');
  const found = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort(byName);
  const classNames = classes ? [...classes] : found;
  const extra = found.filter((f) => !classNames.includes(f));
  if (extra.length) {
    throw new KilnError(DataErrorCodes.UNKNOWN_LABEL, `Folder '${dir}' has class folders not in 'classes': ${extra.join(', ')}. Add them to 'classes' or move them out.`,
      { details: { file: dir, extra } });
  }
  if (classNames.length === 0) throw new KilnError(DataErrorCodes.EMPTY, `Folder '${dir}' has no class subfolders. Put each class's images in root/<class>/.`, { details: { file: dir } });
  const records: ImageRecord[] = [];
  for (const [label, name] of classNames.entries()) {
    const files = found.includes(name) ? await listImages(join(dir, name)) : [];
    if (files.length === 0) {
      bad.report(new KilnError(DataErrorCodes.EMPTY_CLASS, `Class '${name}' has no images (folder '${join(dir, name)}'). Add images or remove the class.`,
        { details: { file: join(dir, name), class: name } }));
    }
    records.push(...files.map((path) => ({ path, label })));
  }
  return { records, classNames };
}
