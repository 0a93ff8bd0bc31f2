import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyModel } from './test-utils/tiny-model.js';
import { describeModel, formatModelDescription } from './describe.js';
import { freezeLayers } from './freeze.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('describeModel', () => {
  it('lists layers with output shapes, trainable / non-trainable parameters and stages', () => {
    const model = tinyModel();
    const d = describeModel(model);
    // conv 3·3·2·4+4 = 76; bn 4 gamma + 4 beta trainable, 8 moving stats; dw 3·3·4 = 36; dense 4·3+3 = 15
    expect(d.layers.map((l) => [l.name, l.className, l.trainableParams, l.nonTrainableParams, l.stage])).toEqual([
      ['input_layer', 'InputLayer', 0, 0, 'stem'], ['conv', 'Conv2D', 76, 0, 'stem'], ['bn', 'BatchNormalization', 8, 8, 'stem'],
      ['relu', 'Activation', 0, 0, 'stem'], ['dw', 'DepthwiseConv2D', 36, 0, 'body'], ['gap', 'GlobalAveragePooling2D', 0, 0, 'head'],
      ['predictions', 'Dense', 15, 0, 'head'],
    ]);
    expect(d.layers[4]!.outputShape).toEqual([null, 8, 8, 4]);
    expect([d.totalParams, d.trainableParams, d.nonTrainableParams]).toEqual([143, 135, 8]);
    expect(d.architecture).toBe('tiny');
    freezeLayers(model, { layers: 'conv' });
    expect(describeModel(model).trainableParams).toBe(135 - 76);
    const text = formatModelDescription(d, { maxLayers: 4 });
    expect(text).toMatch(/^Model: tiny \(tiny\)  input \[N,8,8,2\] → output \[N,3\]/);
    expect(text).toMatch(/conv\s+Conv2D\s+\[N,8,8,4\]\s+76\s+0\s+stem/);
    expect(text).toMatch(/… +\(3 more\)/);
    expect(text).toMatch(/Total params: 143  Trainable: 135  Non-trainable: 8/);
    model.dispose();
  });
});
