import type { Dataset, DatasetSpec, Sample } from '@kiln/core-trainer';
import { checkIndex, checkSample } from './internal/check.js';

/**
 * A dataset held in memory as decoded samples. Every sample is checked against `spec` up front
 * (KILN_DATA_SAMPLE_SHAPE names the offending index), so later collation cannot fail.
 * @example
 * const spec = { inputShape: [2, 2, 1], task: 'classification', numClasses: 2, targetShape: [], targetDtype: 'int32' } as const;
 * const ds = new InMemoryDataset(spec, [{ x: new Float32Array(4), y: 1 }]);
 * ds.get(0).y; // 1
 */
export class InMemoryDataset implements Dataset {
  readonly #samples: readonly Sample[];

  constructor(readonly spec: DatasetSpec, samples: readonly Sample[]) {
    samples.forEach((s, i) => checkSample(spec, s, `sample ${i}`));
    this.#samples = [...samples];
  }

  get size(): number {
    return this.#samples.length;
  }

  get(index: number): Sample {
    checkIndex(index, this.size);
    return this.#samples[index];
  }
}
