import { type Dataset, type DatasetSpec, Rng, type Sample } from '@kiln/core-trainer';
import { checkIndex, requireOption } from '../internal/check.js';
import { drawImage, placeShape, SHAPE_KINDS } from './draw.js';

export interface ShapesOptions {
  readonly task: 'segmentation' | 'classification';
  /** Number of images. */
  readonly size: number;
  /** Side of the square RGB images; default 64. */
  readonly imageSize?: number;
  /** Default 0. The same seed always gives the same images. */
  readonly seed?: number;
  /**
   * Classification: shape kinds to tell apart, 2–5 (circle, square, triangle, cross, ring); default 3.
   * Segmentation: 1 (default) = binary mask of all shapes; k ≥ 2 = background + k−1 shape kinds, one index per pixel.
   */
  readonly numClasses?: number;
  /** Image i is drawn from stream position startIndex + i; a validation set uses startIndex = train size. Default 0. */
  readonly startIndex?: number;
  /** Standard deviation of the Gaussian pixel noise; default 0.08. */
  readonly noise?: number;
}

/**
 * A deterministic synthetic set of noisy RGB images with drawn shapes (circle, square, triangle,
 * cross, ring). Image i depends only on (seed, startIndex + i), so sets are reproducible and
 * disjoint sets come from disjoint index ranges. Classification: one shape, label = its kind
 * (int32 scalar). Segmentation: 1–3 shapes; binary → float32 mask [H, W, 1] of 0/1;
 * multi-class → int32 mask [H, W] of class indices (0 = background).
 * @example
 * const train = createShapesDataset({ task: 'segmentation', size: 256, seed: 1 });
 * const val = createShapesDataset({ task: 'segmentation', size: 64, seed: 1, startIndex: 256 });
 */
export function createShapesDataset(options: ShapesOptions): Dataset {
  return new ShapesDataset(options);
}

class ShapesDataset implements Dataset {
  readonly spec: DatasetSpec;
  readonly size: number;
  readonly #s: number;
  readonly #rng: Rng;
  readonly #o: Required<ShapesOptions>;

  constructor(options: ShapesOptions) {
    const seg = options.task === 'segmentation';
    const o: Required<ShapesOptions> = {
      task: options.task, size: options.size, imageSize: options.imageSize ?? 64, seed: options.seed ?? 0,
      numClasses: options.numClasses ?? (seg ? 1 : 3), startIndex: options.startIndex ?? 0, noise: options.noise ?? 0.08,
    };
    requireOption(o.task === 'segmentation' || o.task === 'classification', 'task', `must be 'segmentation' or 'classification' (got '${o.task}').`);
    requireOption(Number.isInteger(o.size) && o.size > 0, 'size', `must be a positive integer (got ${o.size}).`);
    requireOption(Number.isInteger(o.imageSize) && o.imageSize >= 8, 'imageSize', `must be an integer ≥ 8 (got ${o.imageSize}).`);
    const maxK = seg ? SHAPE_KINDS.length + 1 : SHAPE_KINDS.length;
    requireOption(Number.isInteger(o.numClasses) && o.numClasses >= (seg ? 1 : 2) && o.numClasses <= maxK, 'numClasses',
      `must be an integer in [${seg ? 1 : 2}, ${maxK}] for ${o.task} (got ${o.numClasses}).`);
    requireOption(Number.isInteger(o.startIndex) && o.startIndex >= 0, 'startIndex', `must be an integer ≥ 0 (got ${o.startIndex}).`);
    this.#o = o;
    this.#s = o.imageSize;
    this.#rng = new Rng(o.seed);
    this.size = o.size;
    const s = o.imageSize;
    const k = o.numClasses;
    this.spec = !seg
      ? { inputShape: [s, s, 3], task: 'classification', numClasses: k, classNames: SHAPE_KINDS.slice(0, k), targetShape: [], targetDtype: 'int32' }
      : k === 1
        ? { inputShape: [s, s, 3], task: 'segmentation', numClasses: 1, classNames: ['shape'], targetShape: [s, s, 1], targetDtype: 'float32' }
        : { inputShape: [s, s, 3], task: 'segmentation', numClasses: k, classNames: ['background', ...SHAPE_KINDS.slice(0, k - 1)], targetShape: [s, s], targetDtype: 'int32' };
  }

  get(index: number): Sample {
    checkIndex(index, this.size);
    const pos = this.#o.startIndex + index;
    const rng = this.#rng.fork(pos);
    const s = this.#s;
    const id = `shapes:${pos}`;
    if (this.spec.task === 'classification') {
      const kind = rng.int(this.spec.numClasses);
      const x = drawImage(rng, s, [placeShape(rng, kind, s, 0.15, 0.3)], this.#o.noise, () => undefined);
      return { x, y: kind, id };
    }
    // Binary masks mix circles, squares and triangles; multi-class masks use one kind per foreground class.
    const kinds = this.spec.numClasses === 1 ? 3 : this.spec.numClasses - 1;
    const count = 1 + rng.int(3);
    const shapes = Array.from({ length: count }, () => placeShape(rng, rng.int(kinds), s, 0.08, 0.2));
    if (this.spec.numClasses === 1) {
      const y = new Float32Array(s * s);
      return { x: drawImage(rng, s, shapes, this.#o.noise, (i) => { y[i] = 1; }), y, id };
    }
    const y = new Int32Array(s * s);
    return { x: drawImage(rng, s, shapes, this.#o.noise, (i, k) => { y[i] = shapes[k].kind + 1; }), y, id };
  }
}
