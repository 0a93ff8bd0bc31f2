import { KilnError } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';
import { decodeRaw, type FitMode } from './decode.js';
import type { Image } from './image.js';

/**
 * How mask files encode classes. binary: any value ≥ threshold is foreground (threshold: 1 for
 * 0/1 masks, half the range for 0/255 masks). index: the gray value is the class index.
 * palette: the RGB colour is looked up in `palette` (index = position).
 */
export interface MaskFormat {
  readonly mode: 'binary' | 'index' | 'palette';
  /** Classes including background (index / palette); binary masks have 1. */
  readonly numClasses: number;
  readonly palette?: readonly (readonly [number, number, number])[];
}

/**
 * Decodes a mask file to a 1-channel image of class indices (nearest-neighbour resize).
 * Throws KILN_DATA_MASK_VALUE naming the file for an index ≥ numClasses or an unknown colour.
 * @example const m = await decodeMask('masks/a.png', { mode: 'index', numClasses: 4 });
 */
export async function decodeMask(input: string | Buffer, format: MaskFormat,
  resize?: { readonly width: number; readonly height: number; readonly fit?: FitMode }, name = typeof input === 'string' ? input : 'buffer'): Promise<Image> {
  const pal = format.mode === 'palette';
  const raw = await decodeRaw(input, { channels: pal ? 3 : 1, name, resize: resize && { ...resize, kernel: 'nearest' } });
  const n = raw.width * raw.height;
  const out = new Float32Array(n);
  const bad = (what: string): KilnError => new KilnError(DataErrorCodes.MASK_VALUE,
    `Mask '${name}' ${what}. Fix the mask or the ${pal ? "'palette'" : "'numClasses'"} option (mode '${format.mode}', ${format.numClasses} classes).`,
    { details: { file: name, mode: format.mode } });
  if (format.mode === 'binary') {
    let max = 0;
    for (let i = 0; i < n; i++) if (raw.data[i] > max) max = raw.data[i];
    const threshold = max <= 1 ? 1 : raw.bitDepth === 16 ? 32768 : 128;
    for (let i = 0; i < n; i++) out[i] = raw.data[i] >= threshold ? 1 : 0;
  } else if (format.mode === 'index') {
    for (let i = 0; i < n; i++) {
      if (raw.data[i] >= format.numClasses) throw bad(`holds class index ${raw.data[i]} at pixel (${i % raw.width}, ${Math.floor(i / raw.width)})`);
      out[i] = raw.data[i];
    }
  } else {
    const palette = format.palette ?? [];
    const lookup = new Map(palette.map(([r, g, b], k) => [(r << 16) | (g << 8) | b, k]));
    for (let i = 0; i < n; i++) {
      const key = (raw.data[i * 3] << 16) | (raw.data[i * 3 + 1] << 8) | raw.data[i * 3 + 2];
      const k = lookup.get(key);
      if (k === undefined) throw bad(`has colour rgb(${raw.data[i * 3]}, ${raw.data[i * 3 + 1]}, ${raw.data[i * 3 + 2]}) at pixel (${i % raw.width}, ${Math.floor(i / raw.width)}), which is not in the palette`);
      out[i] = k;
    }
  }
  return { data: out, width: raw.width, height: raw.height, channels: 1 };
}
