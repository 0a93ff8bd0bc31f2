import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyModel } from './test-utils/tiny-model.js';
import { freezeBackbone, freezeLayers, headParamGroups, unfreezeLayers } from './freeze.js';
import { selectLayers, stagePattern } from './stages.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('freezing by layer pattern and stage', () => {
  it('freezes by glob or RegExp and by stage; frozen weights get no gradient', () => {
    const model = tinyModel();
    expect(freezeLayers(model, { layers: ['c*', /^b.$/] })).toEqual(['conv', 'bn']);
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual(['dw/depthwise_kernel', 'predictions/kernel', 'predictions/bias']);
    const x = tf.ones([1, 8, 8, 2]);
    const { grads, value } = tf.variableGrads(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    const names = Object.keys(grads);
    expect(names).toHaveLength(3);
    expect(names).not.toContain((model.getLayer('conv').weights[0]!.read() as tf.Variable).name);
    tf.dispose([x, value, ...Object.values(grads)]);
    expect(unfreezeLayers(model, { stages: ['stem'] })).toEqual(['input_layer', 'conv', 'bn', 'relu']);
    expect(model.trainableWeights).toHaveLength(7);
    model.dispose();
  });

  it('freezeBackbone leaves only the head stages trainable; headParamGroups matches them', () => {
    const model = tinyModel();
    expect(freezeBackbone(model)).toEqual(['gap', 'predictions']);
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual(['predictions/kernel', 'predictions/bias']);
    const [group] = headParamGroups(model, { lr: 0.01 });
    expect(group).toMatchObject({ name: 'head', lr: 0.01 });
    expect(model.layers.filter((l) => group!.match.test(l.name)).map((l) => l.name)).toEqual(['gap', 'predictions']);
    const bare = tinyModel({ stages: false });
    expect(freezeBackbone(bare)).toEqual(['predictions']);
    tf.dispose([model, bare].flatMap((m) => m.weights.map((w) => w.read())));
  });

  it('names what exists when a pattern or stage selects nothing', () => {
    const model = tinyModel();
    expect(() => selectLayers(model, { layers: 'block*' })).toThrow(expect.objectContaining({ code: 'KILN_WEIGHTS_NO_MATCH', message: expect.stringMatching(/block\*.*input_layer, conv, bn/) }));
    expect(() => stagePattern(model, ['block9'])).toThrow(expect.objectContaining({ code: 'KILN_WEIGHTS_STAGE_UNKNOWN', message: expect.stringMatching(/Stages: stem, body, head/) }));
    model.dispose();
  });
});
