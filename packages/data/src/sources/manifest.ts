import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { KilnError } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';
import type { ImageRecord } from '../pipeline/pipeline.js';
import type { BadSampleCollector } from './bad-samples.js';
import { parseCsv } from './csv.js';

export interface ManifestOptions {
  /** A .csv file (header row) or .json file (an array of objects). */
  readonly file: string;
  /** Folder that relative paths are resolved against; default the manifest's folder. */
  readonly imageRoot?: string;
  readonly pathColumn?: string;
  /** Appended to paths without an extension (HAM10000's `image_id` → '.jpg'). */
  readonly extension?: string;
  /** Single-label classification: the label column. */
  readonly labelColumn?: string;
  /** Multi-label: one column per class (values 1, 0, −1 = uncertain, blank). */
  readonly labelColumns?: readonly string[];
  readonly groupColumn?: string;
  /** Column naming each row's split (train / val / test…); rows then keep their split. */
  readonly splitColumn?: string;
  /** Segmentation: the mask path column. */
  readonly maskColumn?: string;
  /** Fixed class list and order (single-label); labels outside it are errors. Default: the sorted distinct labels. */
  readonly classes?: readonly string[];
  /** Multi-label value −1: keep as −1 ('ignore', for a masked loss), or map to 0 / 1. Default 'ignore'. */
  readonly uncertain?: 'ignore' | 'zero' | 'one';
  /** Multi-label blank cell: 0 (default) or −1 ('ignore'). */
  readonly blank?: 'zero' | 'ignore';
}

export interface ManifestRecords {
  readonly records: ImageRecord[];
  /** Split name of each record when `splitColumn` is set. */
  readonly splits?: string[];
  readonly classNames: string[];
  readonly task: 'classification' | 'multilabel' | 'segmentation';
}

const manifestError = (file: string, msg: string, row?: number): KilnError =>
  new KilnError(DataErrorCodes.MANIFEST, `Manifest '${file}'${row !== undefined ? ` row ${row}` : ''}: ${msg}`, { details: { file, row } });

async function readRows(file: string): Promise<{ columns: string[]; rows: Record<string, string>[] }> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new KilnError(DataErrorCodes.MISSING_FILE, `Manifest '${file}' cannot be read (${e.code ?? e.message}).`, { details: { file }, cause: e });
  });
  if (extname(file).toLowerCase() === '.json') {
    let data: unknown;
    try { data = JSON.parse(text); } catch (e) { throw manifestError(file, `invalid JSON (${(e as Error).message}).`); }
    const rows = Array.isArray(data) ? data : (data as { rows?: unknown })?.rows;
    if (!Array.isArray(rows) || rows.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) throw manifestError(file, 'must be an array of objects (or { "rows": [...] }).');
    const str = rows.map((r) => Object.fromEntries(Object.entries(r as object).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)])));
    return { columns: [...new Set(str.flatMap((r) => Object.keys(r)))], rows: str };
  }
  try {
    const { header, rows } = parseCsv(text);
    return { columns: header, rows: rows.map((r) => r.values) };
  } catch (e) {
    throw manifestError(file, `invalid CSV (${(e as Error).message}).`);
  }
}

function multiValue(v: string, o: ManifestOptions): number | undefined {
  const t = v.trim().toLowerCase();
  if (t === '') return o.blank === 'ignore' ? -1 : 0;
  const n = t === 'true' ? 1 : t === 'false' ? 0 : Number(t);
  if (n === 1 || n === 0) return n;
  if (n === -1) return o.uncertain === 'zero' ? 0 : o.uncertain === 'one' ? 1 : -1;
  return undefined;
}

/**
 * Reads a CSV/JSON manifest into records (paths resolved, labels as class indices or per-class
 * values). Missing columns throw KILN_DATA_MANIFEST; a label outside `classes` or a bad multi-label
 * value is reported as KILN_DATA_UNKNOWN_LABEL (file and row) to `bad`; files are not checked here
 * (see verifyRecords).
 * @example const m = await readManifest({ file: 'HAM10000_metadata.csv', pathColumn: 'image_id', extension: '.jpg', labelColumn: 'dx', groupColumn: 'lesion_id' }, bad);
 */
export async function readManifest(o: ManifestOptions, bad: BadSampleCollector): Promise<ManifestRecords> {
  const file = resolve(o.file);
  const { columns, rows } = await readRows(file);
  const pathColumn = o.pathColumn ?? 'path';
  const task = o.maskColumn ? 'segmentation' : o.labelColumns ? 'multilabel' : 'classification';
  const labelColumn = task === 'classification' ? (o.labelColumn ?? 'label') : undefined;
  const needed = [pathColumn, labelColumn, ...(o.labelColumns ?? []), o.groupColumn, o.splitColumn, o.maskColumn].filter((c): c is string => !!c);
  const missing = needed.filter((c) => !columns.includes(c));
  if (missing.length) throw manifestError(file, `has no column(s) ${missing.map((m) => `'${m}'`).join(', ')}. Columns: ${columns.join(', ')}.`);
  const root = resolve(o.imageRoot ?? dirname(file));
  const toPath = (p: string): string => {
    const withExt = o.extension && !extname(p) ? p + o.extension : p;
    return isAbsolute(withExt) ? withExt : resolve(root, withExt);
  };
  const classNames = labelColumn
    ? [...(o.classes ?? [...new Set(rows.map((r) => r[labelColumn].trim()))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })))]
    : [...(o.labelColumns ?? [])];
  const records: ImageRecord[] = [];
  const splits: string[] = [];
  rows.forEach((r, i) => {
    const row = i + 1;
    const base = { path: toPath(r[pathColumn].trim()), row, group: o.groupColumn && r[o.groupColumn] !== '' ? r[o.groupColumn] : undefined };
    const unknown = (what: string): void => bad.report(new KilnError(DataErrorCodes.UNKNOWN_LABEL, `Manifest '${file}' row ${row} (${base.path}): ${what}`,
      { details: { file: base.path, manifest: file, row } }));
    if (task === 'classification') {
      const label = classNames.indexOf(r[labelColumn!].trim());
      if (label < 0) return unknown(`label '${r[labelColumn!]}' is not in the class list (${classNames.join(', ')}). Fix the row or add it to 'classes'.`);
      records.push({ ...base, label });
    } else if (task === 'multilabel') {
      const labels = o.labelColumns!.map((c) => multiValue(r[c], o));
      const badCol = labels.findIndex((v) => v === undefined);
      if (badCol >= 0) return unknown(`column '${o.labelColumns![badCol]}' holds '${r[o.labelColumns![badCol]]}', not 1, 0, -1 or blank.`);
      records.push({ ...base, labels: labels as number[] });
    } else {
      records.push({ ...base, maskPath: toPath(r[o.maskColumn!].trim()) });
    }
    if (o.splitColumn) splits.push(r[o.splitColumn].trim());
  });
  if (task === 'classification') {
    classNames.forEach((name, k) => {
      if (!records.some((r) => r.label === k)) {
        bad.report(new KilnError(DataErrorCodes.EMPTY_CLASS, `Class '${name}' has no rows in manifest '${file}'. Remove it from 'classes' or add rows.`, { details: { file, class: name } }));
      }
    });
  }
  return { records, splits: o.splitColumn ? splits : undefined, classNames, task };
}
