import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';

/** The fixture written by tools/scripts/reference/models/gen_weights.py for the tiny Keras model. */
export interface KerasOutputFixture {
  readonly inputShape: number[];
  readonly input: string;
  readonly outputShape: number[];
  readonly outputs: string;
}

export const TINY_H5 = new URL('./tiny.weights.h5', import.meta.url).pathname;

export function readOutputFixture(url: URL): { x: tf.Tensor; y: tf.Tensor } {
  const f = JSON.parse(readFileSync(url, 'utf8')) as KerasOutputFixture;
  const floats = (b64: string): Float32Array => {
    const buf = Buffer.from(b64, 'base64');
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  };
  return { x: tf.tensor(floats(f.input), f.inputShape), y: tf.tensor(floats(f.outputs), f.outputShape) };
}

/** The tfjs twin of the tiny Keras model: same layer names and weight shapes. */
export function tinyModel(o: { channels?: number; classes?: number; headName?: string; stages?: boolean } = {}): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, o.channels ?? 2], name: 'input_layer' });
  let h = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' }).apply(input) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization({ name: 'bn' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.activation({ activation: 'relu', name: 'relu' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: 'dw' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ units: o.classes ?? 3, activation: 'softmax', name: o.headName ?? 'predictions' }).apply(h) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: h, name: 'tiny' });
  if (o.stages !== false) {
    model.setUserDefinedMetadata({ kiln: { architecture: 'tiny', stages: { stem: '^(input_layer|conv|bn|relu)$', body: '^dw$', head: `^(gap|${o.headName ?? 'predictions'})$` } } });
  }
  return model;
}
