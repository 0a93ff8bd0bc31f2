import * as tf from '@tensorflow/tfjs-core';
import type { Batch, DatasetSpec, Sample } from '@kiln/core-trainer';
import { checkSample, specSizes } from './check.js';

/** A batch collated on the host: one contiguous buffer for x and one for y. */
export interface HostBatch {
  readonly x: Float32Array;
  readonly y: Float32Array | Int32Array;
  readonly size: number;
}

/**
 * Copies samples into one Float32Array (x, NHWC) and one typed array for y whose dtype is
 * `spec.targetDtype`. Each sample is checked against the spec (KILN_DATA_SAMPLE_SHAPE).
 */
export function collate(spec: DatasetSpec, samples: readonly Sample[], indices: readonly number[]): HostBatch {
  const n = specSizes(spec);
  const x = new Float32Array(samples.length * n.x);
  const y = spec.targetDtype === 'int32' ? new Int32Array(samples.length * n.y) : new Float32Array(samples.length * n.y);
  samples.forEach((s, i) => {
    checkSample(spec, s, `sample ${indices[i]}`);
    x.set(s.x, i * n.x);
    if (typeof s.y === 'number') y[i * n.y] = s.y;
    else y.set(s.y, i * n.y);
  });
  return { x, y, size: samples.length };
}

/** Makes the batch's two tensors on the active backend; the caller owns them. */
export function toTensors(spec: DatasetSpec, host: HostBatch): Batch {
  return {
    x: tf.tensor(host.x, [host.size, ...spec.inputShape], 'float32'),
    y: tf.tensor(host.y, [host.size, ...spec.targetShape], spec.targetDtype),
    size: host.size,
  };
}
