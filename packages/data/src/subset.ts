import type { Dataset, DatasetSpec, Sample } from '@kiln/core-trainer';
import { checkIndex } from './internal/check.js';

/**
 * A view of `source` restricted to `indices` (in that order): `get(i)` reads `source.get(indices[i])`.
 * @example const firstTen = new SubsetDataset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 */
export class SubsetDataset implements Dataset {
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

  get(index: number): Sample | Promise<Sample> {
    checkIndex(index, this.size);
    return this.source.get(this.indices[index]);
  }
}
