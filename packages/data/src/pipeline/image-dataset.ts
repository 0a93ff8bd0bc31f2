import type { Dataset, DatasetSpec, Sample } from '@kiln/core-trainer';
import { checkIndex } from '../internal/check.js';
import type { DecodePool } from '../pool/pool.js';
import type { BadSample } from '../sources/bad-samples.js';
import type { EpochAwareDataset, SampleInfo } from '../types.js';
import { type Fitted, finishSample, type ImageRecord, loadFitted, type PipelineConfig } from './pipeline.js';

export interface ImageDatasetOptions {
  /** Decode and augment in these worker threads; without one, on the main thread. */
  readonly pool?: DecodePool;
  /** Keep decoded, fitted images (before augmentation) in memory, up to `cacheMaxMB` (default 2048). */
  readonly cache?: boolean;
  readonly cacheMaxMB?: number;
  /** Seed of the augmentation draws; the draw of sample i in epoch e depends only on (seed, e, i). */
  readonly seed?: number;
  /** Problems skipped while indexing (onBadSample: 'skip'). */
  readonly badSamples?: readonly BadSample[];
  readonly classNames?: readonly string[];
}

/**
 * A dataset of image files (with labels or masks) read through a `PipelineConfig`: decode, fit to
 * size, augment (seeded per epoch and index), normalise. `get(i, { epoch })` is what BatchLoader
 * calls; without an epoch no augmentation is applied.
 * @example const ds = new ImageDataset(records, { task: 'classification', height: 64, width: 64, channels: 3, fit: 'stretch', numClasses: 2 });
 */
export class ImageDataset implements EpochAwareDataset {
  readonly spec: DatasetSpec;
  readonly records: readonly ImageRecord[];
  readonly badSamples: readonly BadSample[];
  readonly #cache = new Map<number, Fitted>();
  #cacheBytes = 0;

  constructor(records: readonly ImageRecord[], readonly pipeline: PipelineConfig, readonly options: ImageDatasetOptions = {}) {
    this.records = records;
    this.badSamples = options.badSamples ?? [];
    const p = pipeline;
    const seg = p.task === 'segmentation';
    this.spec = {
      inputShape: [p.height, p.width, p.channels], task: p.task, numClasses: p.numClasses, classNames: options.classNames,
      targetShape: p.task === 'classification' ? [] : p.task === 'multilabel' ? [p.numClasses] : p.numClasses === 1 ? [p.height, p.width, 1] : [p.height, p.width],
      targetDtype: p.task === 'classification' || (seg && p.numClasses > 1) ? 'int32' : 'float32',
    };
  }

  get size(): number {
    return this.records.length;
  }

  /** A dataset over the same files with other pipeline settings (e.g. no augmentation for validation). */
  with(changes: Partial<PipelineConfig>, records: readonly ImageRecord[] = this.records): ImageDataset {
    return new ImageDataset(records, { ...this.pipeline, ...changes }, this.options);
  }

  info(index: number): SampleInfo {
    checkIndex(index, this.size);
    const r = this.records[index];
    return { id: r.path, path: r.path, maskPath: r.maskPath, label: r.label ?? r.labels, group: r.group, width: r.width, height: r.height };
  }

  async get(index: number, context?: { readonly epoch: number }): Promise<Sample> {
    checkIndex(index, this.size);
    const r = this.records[index];
    const draw = context && { seed: this.options.seed ?? 0, epoch: context.epoch, index };
    const cached = this.#cache.get(index);
    const wantFitted = !!this.options.cache && !cached;
    let out: { x: Float32Array; y: Float32Array | Int32Array | number };
    if (this.options.pool) {
      const res = await this.options.pool.run({ record: r, cfg: this.pipeline, draw, fitted: cached, wantFitted });
      if (res.fitted) this.#remember(index, res.fitted);
      out = res;
    } else {
      const fitted = cached ?? (await loadFitted(r, this.pipeline));
      if (wantFitted) this.#remember(index, fitted);
      out = finishSample(fitted, r, this.pipeline, draw);
    }
    return { x: out.x, y: out.y, id: r.path, group: r.group };
  }

  /** Stops the worker pool's threads (shared with the other split); a later `get` starts them again. */
  async close(): Promise<void> {
    await this.options.pool?.close();
  }

  #remember(index: number, f: Fitted): void {
    const bytes = f.image.data.byteLength + (f.mask?.data.byteLength ?? 0);
    if (this.#cacheBytes + bytes > (this.options.cacheMaxMB ?? 2048) * 2 ** 20) return;
    this.#cache.set(index, f);
    this.#cacheBytes += bytes;
  }
}
