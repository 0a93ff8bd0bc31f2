import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { lossFactories } from '../src/index.js';
import { type FixtureTensor, expectClose, loadFixture, toTensor } from './fixture.js';

interface LossCase { name: string; loss: keyof typeof lossFactories; options: Record<string, unknown>; yTrue: FixtureTensor; yPred: FixtureTensor; expected: FixtureTensor; grad: FixtureTensor }
const fixture = loadFixture<{ cases: LossCase[] }>('losses.json');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Every case goes through the registered factory (schema parse + create), as a config would.
describe('losses and their gradients equal PyTorch (tolerance 1e-5 relative, 1e-6 absolute)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const factory = lossFactories[c.loss];
    const loss = factory.create(factory.schema.parse(c.options) as never);
    const out = tf.tidy(() => loss.compute(toTensor(c.yTrue), toTensor(c.yPred)));
    expect(out.shape).toEqual(c.expected.shape);
    expectClose(out.dataSync(), c.expected.data);
    out.dispose();
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s: gradient w.r.t. predictions', (_name, c) => {
    const factory = lossFactories[c.loss];
    const loss = factory.create(factory.schema.parse(c.options) as never);
    const yTrue = toTensor(c.yTrue);
    const g = tf.grad((p: tf.Tensor) => tf.sum(loss.compute(yTrue, p)))(toTensor(c.yPred));
    expectClose(g.dataSync(), c.grad.data);
  });
});
