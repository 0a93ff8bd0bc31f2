import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';

/** A fixture of tools/scripts/reference/models/gen_weights.py: fixed input and Keras' output on it. */
export function readKerasOutputs(url: URL): { x: tf.Tensor; y: tf.Tensor; lastLayer: string; params: number } {
  const f = JSON.parse(readFileSync(url, 'utf8')) as { inputShape: number[]; input: string; outputShape: number[]; outputs: string; lastLayer: string; params: number };
  const floats = (b64: string): Float32Array => {
    const buf = Buffer.from(b64, 'base64');
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  };
  return { x: tf.tensor(floats(f.input), f.inputShape), y: tf.tensor(floats(f.outputs), f.outputShape), lastLayer: f.lastLayer, params: f.params };
}

/** Max |a − b| of the model's inference output on x against y. */
export function maxAbsDiff(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, y))).dataSync()[0]!);
}
