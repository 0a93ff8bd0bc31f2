import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { metricFactories } from '../src/index.js';
import { type FixtureTensor, expectClose, loadFixture, toTensor } from './fixture.js';

interface MetricCase {
  name: string; metric: keyof typeof metricFactories; options: Record<string, unknown>;
  batches: { yTrue: FixtureTensor; yPred: FixtureTensor }[]; expected: number | Record<string, number>;
}
const fixture = loadFixture<{ cases: MetricCase[] }>('metrics.json');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const create = (c: MetricCase) => {
  const f = metricFactories[c.metric];
  return f.create(f.schema.parse(c.options) as never);
};

function compare(actual: unknown, expected: number | Record<string, number>): void {
  if (typeof expected === 'number') {
    expectClose([actual as number], [expected]);
    return;
  }
  expect(Object.keys(actual as object).sort()).toEqual(Object.keys(expected).sort());
  for (const k of Object.keys(expected)) expectClose([(actual as Record<string, number>)[k]], [expected[k]]);
}

// Each case streams the data set in batches and compares with scikit-learn on the whole set.
describe('metrics equal scikit-learn over the whole data set (tolerance 1e-5 relative)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const m = create(c);
    for (const b of c.batches) tf.tidy(() => m.update(toTensor(b.yTrue), toTensor(b.yPred)));
    compare(await m.compute(), c.expected);
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s: state saved after the first batch and restored into a new metric', async (_name, c) => {
    const a = create(c);
    tf.tidy(() => a.update(toTensor(c.batches[0].yTrue), toTensor(c.batches[0].yPred)));
    const state = JSON.parse(JSON.stringify(await a.stateDict!()));
    const b = create(c);
    b.loadStateDict!(state);
    for (const batch of c.batches.slice(1)) tf.tidy(() => b.update(toTensor(batch.yTrue), toTensor(batch.yPred)));
    compare(await b.compute(), c.expected);
    b.reset();
    for (const batch of c.batches) tf.tidy(() => b.update(toTensor(batch.yTrue), toTensor(batch.yPred)));
    compare(await b.compute(), c.expected);
  });
});
