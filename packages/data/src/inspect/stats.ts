import { type Dataset, Rng, type Sample } from '@kiln/core-trainer';
import { isDescribed } from '../types.js';

/**
 * Per-channel mean and standard deviation of the pixel values of up to `maxSamples` samples
 * (a seeded choice when the dataset is larger), read without augmentation.
 * @example const stats = await computeNormalization(train, 256, 0); // { mean: [..3], std: [..3] }
 */
export async function computeNormalization(ds: Dataset, maxSamples = 256, seed = 0): Promise<{ mean: number[]; std: number[] }> {
  const C = ds.spec.inputShape[2];
  const idx = Array.from({ length: ds.size }, (_, i) => i);
  const pick = ds.size > maxSamples ? new Rng(seed).shuffle(idx).slice(0, maxSamples) : idx;
  const sum = new Float64Array(C);
  const sq = new Float64Array(C);
  let n = 0;
  for (const i of pick) {
    const { x } = await ds.get(i);
    for (let k = 0; k < x.length; k++) { sum[k % C] += x[k]; sq[k % C] += x[k] * x[k]; }
    n += x.length / C;
  }
  const mean = Array.from(sum, (s) => s / n);
  return { mean, std: Array.from(sq, (s, c) => Math.max(1e-6, Math.sqrt(Math.max(0, s / n - mean[c] ** 2)))) };
}

/**
 * Each sample's label: the class index (classification), per-class values (multilabel), or the
 * sorted class indices present in the mask (segmentation). Uses `info` when the dataset has it.
 * @example balancedClassWeights((await datasetLabels(train)) as number[], train.spec.numClasses)
 */
export async function datasetLabels(ds: Dataset): Promise<(number | readonly number[])[]> {
  const out: (number | readonly number[])[] = [];
  for (let i = 0; i < ds.size; i++) {
    const info = isDescribed(ds) ? ds.info(i) : undefined;
    if (info?.label !== undefined && ds.spec.task !== 'segmentation') { out.push(info.label); continue; }
    const s: Sample = await ds.get(i);
    if (typeof s.y === 'number') out.push(s.y);
    else if (ds.spec.task === 'segmentation') {
      const present = new Set<number>(ds.spec.numClasses === 1 ? (s.y.some((v) => v > 0.5) ? [0] : []) : Array.from(s.y));
      out.push([...present].sort((a, b) => a - b));
    } else out.push(Array.from(s.y));
  }
  return out;
}
