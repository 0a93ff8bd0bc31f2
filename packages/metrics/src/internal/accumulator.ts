import * as tf from '@tensorflow/tfjs-core';
import { MetricErrorCodes, metricError } from '../errors.js';

/**
 * A running sum of fixed-size vectors kept as a tensor (no readback per batch), folded into a
 * float64 host array every `flushEvery` additions (so int32 counts cannot overflow and float32
 * sums keep their precision) and when read.
 */
export class Accumulator {
  #tensor: tf.Tensor | null = null;
  #pending = 0;
  readonly #host: Float64Array;

  constructor(readonly size: number, readonly flushEvery = 16) {
    this.#host = new Float64Array(size);
  }

  /** Adds `x` (any shape with `size` elements). Safe inside or outside a tidy; does not dispose `x`. */
  add(x: tf.Tensor): void {
    if (x.size !== this.size) {
      metricError(MetricErrorCodes.SHAPE_MISMATCH, `Internal accumulator expected ${this.size} values, got ${x.size}.`, { size: x.size });
    }
    const next = tf.tidy(() => {
      const flat = tf.reshape(x, [this.size]);
      return this.#tensor ? tf.add(this.#tensor, flat) : tf.clone(flat);
    });
    this.#tensor?.dispose();
    this.#tensor = tf.keep(next);
    if (++this.#pending >= this.flushEvery) this.flush();
  }

  flush(): void {
    if (!this.#tensor) return;
    const data = this.#tensor.dataSync();
    for (let i = 0; i < this.size; i++) this.#host[i] += data[i];
    this.#tensor.dispose();
    this.#tensor = null;
    this.#pending = 0;
  }

  /** The sums so far (a copy). */
  values(): Float64Array {
    this.flush();
    return Float64Array.from(this.#host);
  }

  reset(): void {
    this.#tensor?.dispose();
    this.#tensor = null;
    this.#pending = 0;
    this.#host.fill(0);
  }

  toJSON(): number[] {
    return Array.from(this.values());
  }

  load(values: unknown, metric: string): void {
    if (!Array.isArray(values) || values.length !== this.size || values.some((v) => typeof v !== 'number')) {
      metricError(MetricErrorCodes.STATE_INVALID, `Metric '${metric}': saved state has ${Array.isArray(values) ? values.length : 'no'} values, expected ${this.size}. Resume with the same metric options.`,
        { expected: this.size });
    }
    this.reset();
    this.#host.set(values as number[]);
  }
}
