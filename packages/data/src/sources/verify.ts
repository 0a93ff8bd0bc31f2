import { stat } from 'node:fs/promises';
import { KilnError, isKilnError } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';
import { readImageHeader } from '../image/decode.js';
import { type ImageRecord, loadFitted, type PipelineConfig, where } from '../pipeline/pipeline.js';
import type { BadSampleCollector } from './bad-samples.js';

/** How much of each file is read while indexing: nothing, the header (default), or the whole image. */
export type VerifyLevel = 'none' | 'header' | 'decode';

async function exists(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

async function check(r: ImageRecord, level: VerifyLevel, cfg?: PipelineConfig): Promise<ImageRecord> {
  const at = r.row !== undefined ? ` (manifest row ${r.row})` : '';
  for (const f of [r.path, r.maskPath]) {
    if (f !== undefined && !(await exists(f))) {
      throw new KilnError(DataErrorCodes.MISSING_FILE, `File '${f}'${at} does not exist. Fix the path or remove the row.`, { details: { file: f, row: r.row } });
    }
  }
  if (level === 'none') return r;
  const tag = (e: unknown): unknown => (isKilnError(e) && r.row !== undefined
    ? new KilnError(e.code, `${e.message}${at}`, { cause: e.cause, details: { ...e.details, row: r.row } }) : e);
  try {
    const h = await readImageHeader(r.path);
    if (r.maskPath) {
      const m = await readImageHeader(r.maskPath);
      if (m.width !== h.width || m.height !== h.height) {
        throw new KilnError(DataErrorCodes.MASK_SIZE, `Mask '${r.maskPath}' is ${m.width}×${m.height} but its image ${where(r)} is ${h.width}×${h.height}. Re-export the mask at the image's size.`,
          { details: { file: r.maskPath, image: r.path, row: r.row } });
      }
    }
    if (level === 'decode' && cfg) await loadFitted(r, cfg);
    return { ...r, width: h.width, height: h.height };
  } catch (e) {
    throw tag(e);
  }
}

/**
 * Checks every record's files (existence, then header or full decode, and mask size), `concurrency`
 * at a time, keeping the input order. Problems go to `bad`: thrown in 'error' mode, skipped and
 * listed in 'skip' mode. Returns the good records with their image sizes filled in.
 * @example const ok = await verifyRecords(records, 'header', new BadSampleCollector('skip'));
 */
export async function verifyRecords(records: readonly ImageRecord[], level: VerifyLevel, bad: BadSampleCollector,
  cfg?: PipelineConfig, concurrency = 16): Promise<ImageRecord[]> {
  const out: (ImageRecord | undefined)[] = new Array(records.length);
  const errors: (unknown | undefined)[] = new Array(records.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const i = next++;
      try { out[i] = await check(records[i], level, cfg); } catch (e) { errors[i] = e; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, records.length) }, worker));
  errors.forEach((e) => {
    if (e === undefined) return;
    if (!isKilnError(e)) throw e;
    bad.report(e);
  });
  return out.filter((r): r is ImageRecord => r !== undefined);
}
