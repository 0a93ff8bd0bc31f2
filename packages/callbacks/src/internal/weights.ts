import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** Host copy of a model's weights (order of `model.getWeights()`). */
export interface WeightSnapshot {
  readonly shapes: number[][];
  readonly dtypes: tf.DataType[];
  readonly data: (Float32Array | Int32Array)[];
}

export function snapshotWeights(model: LayersModel): WeightSnapshot {
  const ws = model.getWeights();
  return {
    shapes: ws.map((w) => [...w.shape]),
    dtypes: ws.map((w) => w.dtype),
    data: ws.map((w) => w.dataSync().slice() as Float32Array | Int32Array),
  };
}

export function restoreWeights(model: LayersModel, snap: WeightSnapshot): void {
  const ts = snap.data.map((d, i) => tf.tensor(d, snap.shapes[i], snap.dtypes[i]));
  try {
    model.setWeights(ts);
  } finally {
    tf.dispose(ts);
  }
}

/** JSON form: base64 of the raw bytes, exact for float32 and int32. */
export interface EncodedWeights {
  readonly shapes: number[][];
  readonly dtypes: string[];
  readonly data: string[];
}

export function encodeWeights(snap: WeightSnapshot): EncodedWeights {
  return { shapes: snap.shapes, dtypes: snap.dtypes, data: snap.data.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('base64')) };
}

export function decodeWeights(enc: EncodedWeights): WeightSnapshot {
  return {
    shapes: enc.shapes,
    dtypes: enc.dtypes as tf.DataType[],
    data: enc.data.map((b64, i) => {
      const buf = Buffer.from(b64, 'base64');
      const copy = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      return enc.dtypes[i] === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    }),
  };
}
