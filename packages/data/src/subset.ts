import type { Dataset, DatasetSpec, Sample } from '@kiln/core-trainer';
import { checkIndex } from './internal/check.js';
import { type EpochAwareDataset, isDescribed, type SampleInfo } from './types.js';

/**
 * A view of `source` restricted to `indices` (in that order): `get(i)` reads `source.get(indices[i])`.
 * The epoch context and `info` are passed through.
 * @example const firstTen = new SubsetDataset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 */
export class SubsetDataset implements EpochAwareDataset {
  readonly spec: DatasetSpec;
  readonly indices: readonly number[];

  constructor(readonly source: Dataset, indices: readonly number[]) {
    indices.forEach((i) => checkIndex(i, source.size));
    this.spec = source.spec;
    this.indices = [...indices];
  }

  get size(): number {
    return this.indices.length;
  }

  get(index: number, context?: { readonly epoch: number }): Sample | Promise<Sample> {
    checkIndex(index, this.size);
    return (this.source as EpochAwareDataset).get(this.indices[index], context);
  }

  /** Sample description from the source, when it has one. */
  info(index: number): SampleInfo | undefined {
    checkIndex(index, this.size);
    return isDescribed(this.source) ? this.source.info(this.indices[index]) : undefined;
  }
}
