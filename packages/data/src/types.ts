import type { Dataset, Sample } from '@kiln/core-trainer';

/**
 * A dataset whose samples may depend on the epoch (seeded augmentation). BatchLoader passes
 * `{ epoch }` as the second argument of `get`; datasets that ignore it are unaffected.
 */
export interface EpochAwareDataset extends Dataset {
  get(index: number, context?: { readonly epoch: number }): Sample | Promise<Sample>;
}

/** What a sample is without decoding it: used by splits, leakage checks and `inspectData`. */
export interface SampleInfo {
  readonly id: string;
  readonly path?: string;
  readonly maskPath?: string;
  /** Class index, or one value per class for multi-label. */
  readonly label?: number | readonly number[];
  readonly group?: string;
  readonly width?: number;
  readonly height?: number;
}

/** A dataset that can describe its samples cheaply. */
export interface DescribedDataset extends Dataset {
  info(index: number): SampleInfo | undefined;
}

/** True when `ds` implements `info(index)`. */
export function isDescribed(ds: Dataset): ds is DescribedDataset {
  return typeof (ds as Partial<DescribedDataset>).info === 'function';
}
