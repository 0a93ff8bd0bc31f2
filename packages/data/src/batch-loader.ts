import { type Batch, type BatchSource, type Dataset, type DatasetSpec, KilnError, Rng } from '@kiln/core-trainer';
import { DataErrorCodes } from './errors.js';
import { requireOption } from './internal/check.js';
import type { EpochAwareDataset } from './types.js';
import { collate, type HostBatch, toTensors } from './internal/collate.js';

export interface BatchLoaderOptions {
  readonly batchSize: number;
  /** Shuffle each epoch with `new Rng(seed).fork(epoch)`; default false (dataset order). */
  readonly shuffle?: boolean;
  readonly seed?: number;
  /** Drop the last incomplete batch; default false. */
  readonly dropLast?: boolean;
  /** Use only these dataset indices (a split), in this base order. */
  readonly indices?: readonly number[];
  /** Batches read ahead while the current one trains; default 1. */
  readonly prefetch?: number;
}

/**
 * Turns a `Dataset` into batches: one x tensor [N, H, W, C] float32 and one y tensor
 * [N, ...spec.targetShape] of `spec.targetDtype` per batch. The order of epoch `e` depends only on
 * (seed, e), so `epoch(e, k)` yields exactly the batches k… of a full `epoch(e)` (exact resume).
 * Each `get` receives `{ epoch }` as a second argument (seeded augmentation per epoch).
 * The next batches' samples are read and collated on the host while the consumer trains on the
 * current one; tensors are made only when a batch is handed out, and the consumer disposes them.
 * @example
 * const loader = new BatchLoader(dataset, { batchSize: 16, shuffle: true, seed: 1 });
 * for await (const b of loader.epoch(0)) { train(b); tf.dispose([b.x, b.y]); }
 */
export class BatchLoader implements BatchSource {
  readonly spec: DatasetSpec;
  readonly batchSize: number;
  readonly numBatches: number;
  readonly #indices: readonly number[];
  readonly #options: BatchLoaderOptions;

  constructor(readonly dataset: Dataset, options: BatchLoaderOptions) {
    const { batchSize, prefetch = 1 } = options;
    requireOption(Number.isInteger(batchSize) && batchSize > 0, 'batchSize', `must be a positive integer (got ${batchSize}).`);
    requireOption(Number.isInteger(prefetch) && prefetch >= 0, 'prefetch', `must be an integer ≥ 0 (got ${prefetch}).`);
    const indices = options.indices ? [...options.indices] : Array.from({ length: dataset.size }, (_, i) => i);
    const bad = indices.find((i) => !Number.isInteger(i) || i < 0 || i >= dataset.size);
    requireOption(bad === undefined, 'indices', `index ${bad} is outside the dataset of ${dataset.size} samples.`);
    this.spec = dataset.spec;
    this.batchSize = batchSize;
    this.#indices = indices;
    this.#options = options;
    this.numBatches = options.dropLast ? Math.floor(indices.length / batchSize) : Math.ceil(indices.length / batchSize);
    if (this.numBatches === 0) {
      throw new KilnError(DataErrorCodes.EMPTY,
        `The loader has no batches: ${indices.length} samples${options.dropLast ? ` with dropLast and batchSize ${batchSize}` : ''}. Add samples or lower batchSize.`,
        { details: { samples: indices.length, batchSize } });
    }
  }

  /** Number of samples per epoch (after dropLast). */
  get numSamples(): number {
    return this.#options.dropLast ? this.numBatches * this.batchSize : this.#indices.length;
  }

  /** The dataset indices of epoch `epoch`, in the order they are batched. */
  order(epoch: number): number[] {
    const order = [...this.#indices];
    return this.#options.shuffle ? new Rng(this.#options.seed ?? 0).fork(epoch).shuffle(order) : order;
  }

  /** Batches `startBatch`… of `epoch`. A bad `startBatch` throws here, before iteration (KILN_DATA_INVALID_OPTION). */
  epoch(epoch: number, startBatch = 0): AsyncGenerator<Batch> {
    requireOption(Number.isInteger(startBatch) && startBatch >= 0 && startBatch <= this.numBatches, 'startBatch',
      `must be an integer in [0, ${this.numBatches}] (got ${startBatch}).`);
    return this.#batches(epoch, startBatch);
  }

  async *#batches(epoch: number, startBatch: number): AsyncGenerator<Batch> {
    const order = this.order(epoch);
    const ahead = this.#options.prefetch ?? 1;
    const queue: Promise<HostBatch>[] = [];
    let next = startBatch;
    const load = (b: number): Promise<HostBatch> => {
      const idx = order.slice(b * this.batchSize, (b + 1) * this.batchSize);
      const p = (async () => collate(this.spec, await Promise.all(idx.map((i) => (this.dataset as EpochAwareDataset).get(i, { epoch }))), idx))();
      p.catch(() => undefined); // surfaced when awaited; avoids unhandled rejections if the consumer stops early
      return p;
    };
    while (queue.length <= ahead && next < this.numBatches) queue.push(load(next++));
    while (queue.length > 0) {
      const host = await queue.shift()!;
      while (queue.length < ahead && next < this.numBatches) queue.push(load(next++));
      yield toTensors(this.spec, host);
    }
  }
}
