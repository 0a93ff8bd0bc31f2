import { KilnError, isKilnError } from '@kiln/core-trainer';
import { augment, augmentRng, type AugmentConfig } from '../augment/augment.js';
import { DataErrorCodes } from '../errors.js';
import { decodeImage, readImageHeader, type FitMode } from '../image/decode.js';
import type { Image } from '../image/image.js';
import { decodeMask, type MaskFormat } from '../image/mask.js';
import { normalize } from '../image/transforms.js';

/** One sample on disk, as a source indexed it. Paths are absolute. */
export interface ImageRecord {
  readonly path: string;
  /** Class index (classification). */
  readonly label?: number;
  /** One value per class (multilabel): 1, 0, or −1 for "ignore" (see the uncertain-label policy). */
  readonly labels?: readonly number[];
  readonly maskPath?: string;
  readonly group?: string;
  /** 1-based data row in the manifest, for messages. */
  readonly row?: number;
  /** Size from the header read while indexing. */
  readonly width?: number;
  readonly height?: number;
}

/** How records become samples. Plain data, so it crosses to worker threads. */
export interface PipelineConfig {
  readonly task: 'classification' | 'multilabel' | 'segmentation';
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  readonly fit: FitMode;
  readonly numClasses: number;
  readonly normalize?: { readonly mean: readonly number[]; readonly std: readonly number[] };
  readonly augment?: AugmentConfig;
  readonly mask?: MaskFormat;
}

/** Which augmentation draw to use: depends only on (seed, epoch, index). */
export interface AugmentDraw {
  readonly seed: number;
  readonly epoch: number;
  readonly index: number;
}

/** A record decoded and fitted to the output size, before augmentation: what the decoded cache holds. */
export interface Fitted {
  readonly image: Image;
  readonly mask?: Image;
}

/** Where a record is, for messages: the file and, for manifests, the row. */
export function where(r: ImageRecord): string {
  return r.row !== undefined ? `'${r.path}' (manifest row ${r.row})` : `'${r.path}'`;
}

/** Decodes a record's image (and mask) and fits them to the output size. Errors name the file and row. */
export async function loadFitted(r: ImageRecord, cfg: PipelineConfig): Promise<Fitted> {
  const resize = { width: cfg.width, height: cfg.height, fit: cfg.fit };
  try {
    const image = await decodeImage(r.path, { channels: cfg.channels, resize });
    if (!r.maskPath || !cfg.mask) return { image };
    const [ih, mh] = await Promise.all([readImageHeader(r.path), readImageHeader(r.maskPath)]);
    if (ih.width !== mh.width || ih.height !== mh.height) {
      throw new KilnError(DataErrorCodes.MASK_SIZE,
        `Mask '${r.maskPath}' is ${mh.width}×${mh.height} but its image '${r.path}' is ${ih.width}×${ih.height}. Re-export the mask at the image's size.`,
        { details: { file: r.maskPath, image: r.path, row: r.row } });
    }
    return { image, mask: await decodeMask(r.maskPath, cfg.mask, resize) };
  } catch (e) {
    if (isKilnError(e) && r.row !== undefined && !e.message.includes('manifest row')) {
      throw new KilnError(e.code, `${e.message} (manifest row ${r.row})`, { cause: e.cause, details: { ...e.details, row: r.row } });
    }
    throw e;
  }
}

/** Augments (when `draw` is given and the config has any), normalises and builds the target. */
export function finishSample(f: Fitted, r: ImageRecord, cfg: PipelineConfig, draw?: AugmentDraw): { x: Float32Array; y: Float32Array | Int32Array | number } {
  let { image, mask } = f;
  if (draw && cfg.augment && Object.keys(cfg.augment).length > 0) {
    ({ image, mask } = augment(image, mask, cfg.augment, augmentRng(draw.seed, draw.epoch, draw.index)));
  }
  if (cfg.normalize) image = normalize(image, cfg.normalize.mean, cfg.normalize.std);
  const x = image.data === f.image.data ? image.data.slice() : image.data;
  if (cfg.task === 'classification') return { x, y: r.label ?? 0 };
  if (cfg.task === 'multilabel') return { x, y: Float32Array.from(r.labels ?? []) };
  const m = mask?.data ?? new Float32Array(cfg.width * cfg.height);
  return { x, y: cfg.numClasses === 1 ? Float32Array.from(m) : Int32Array.from(m) };
}
