import { basename, extname, resolve } from 'node:path';
import { KilnError } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';
import type { ImageRecord } from '../pipeline/pipeline.js';
import type { BadSampleCollector } from './bad-samples.js';
import { listImages, requireDir } from './folder.js';

const stem = (p: string): string => basename(p, extname(p));

/**
 * Pairs images with masks by file name: image `a.jpg` matches mask `a<maskSuffix>.png|jpg`
 * (sub-folders ignored; names must be unique). An image without a mask is reported as
 * KILN_DATA_MISSING_MASK to `bad`; masks without an image are ignored.
 * @example const records = await scanSegmentationPairs('data/images', 'data/masks', '_mask', bad);
 */
export async function scanSegmentationPairs(images: string, masks: string, maskSuffix: string, bad: BadSampleCollector): Promise<ImageRecord[]> {
  const [imgDir, maskDir] = [resolve(images), resolve(masks)];
  await requireDir(imgDir, 'images');
  await requireDir(maskDir, 'masks');
  const maskByStem = new Map((await listImages(maskDir)).map((m) => [stem(m), m]));
  const records: ImageRecord[] = [];
  for (const path of await listImages(imgDir)) {
    const maskPath = maskByStem.get(stem(path) + maskSuffix);
    if (!maskPath) {
      bad.report(new KilnError(DataErrorCodes.MISSING_MASK, `Image '${path}' has no mask '${stem(path)}${maskSuffix}.png' (or .jpg) in '${maskDir}'. Add the mask or remove the image.`,
        { details: { file: path } }));
      continue;
    }
    records.push({ path, maskPath });
  }
  if (records.length === 0) throw new KilnError(DataErrorCodes.EMPTY, `No image in '${imgDir}' has a mask in '${maskDir}'.`, { details: { file: imgDir } });
  return records;
}
