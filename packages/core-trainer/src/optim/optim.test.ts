import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { isKilnError } from '../errors.js';
import { Adam, Rmsprop, Sgd, clipByGlobalNorm, clipByValue, optimizerFactories } from './index.js';

interface T { shape: number[]; data: number[] }
interface OptimCase {
  name: string; optimizer: keyof typeof optimizerFactories; options: Record<string, unknown>;
  groups: { name: string; variables: string[]; lr: number; weightDecay?: number }[];
  init: Record<string, T>; grads: Record<string, T>[]; lrs: number[][]; expected: Record<string, T>[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/optim.json', import.meta.url), 'utf8')) as { cases: OptimCase[] };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** float32 updates vs PyTorch's float64: 1e-5 relative plus 1e-6 absolute (parameters are O(1)). */
function expectClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= 1e-5 * Math.abs(expected[i]) + 1e-6)) expect.fail(`${what}[${i}]: got ${actual[i]}, torch ${expected[i]}`);
  }
}

function setup(c: OptimCase, prefix: string) {
  const vars = Object.fromEntries(Object.entries(c.init).map(([k, v]) => [k, tf.variable(tf.tensor(v.data, v.shape), true, `${prefix}/${k}`)]));
  const groups = c.groups.map((g) => ({ name: g.name, lr: g.lr, weightDecay: g.weightDecay, variables: g.variables.map((k) => vars[k]) }));
  const f = optimizerFactories[c.optimizer];
  const opt = f.create(f.schema.parse(c.options) as never, groups);
  const step = (i: number) => {
    c.lrs[i].forEach((lr, gi) => opt.setLr(gi, lr));
    const grads = Object.fromEntries(Object.entries(c.grads[i]).map(([k, g]) => [`${prefix}/${k}`, tf.tensor(g.data, g.shape)]));
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  };
  const check = (i: number) => { for (const [k, v] of Object.entries(c.expected[i])) expectClose(vars[k].dataSync(), v.data, `step ${i} ${k}`); };
  const dispose = () => { opt.dispose(); tf.dispose(Object.values(vars)); };
  return { vars, opt, step, check, dispose };
}

let run = 0;
describe('optimizers equal torch.optim step by step', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const s = setup(c, `case${run++}`);
    let before = 0;
    for (let i = 0; i < c.grads.length; i++) {
      s.step(i);
      s.check(i);
      if (i === 1) before = tf.memory().numTensors; // every slot exists by now
    }
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s: resumes from stateDict after 2 steps', (_name, c) => {
    const a = setup(c, `case${run++}`);
    a.step(0);
    a.step(1);
    const state = a.opt.stateDict();
    const prefixB = `case${run++}`;
    const b = setup(c, prefixB);
    for (const k of Object.keys(c.init)) b.vars[k].assign(a.vars[k]);
    // State keys are positional, so they load into variables with other (process-specific) names.
    b.opt.loadStateDict({ tensors: state.tensors, meta: JSON.parse(JSON.stringify(state.meta)) });
    tf.dispose(Object.values(state.tensors));
    for (let i = 2; i < c.grads.length; i++) {
      b.step(i);
      b.check(i);
    }
    a.dispose();
    b.dispose();
  });
});

describe('optimizer factories', () => {
  it('are adam, adamw, sgd and rmsprop, with validated options', () => {
    expect(Object.keys(optimizerFactories).sort()).toEqual(['adam', 'adamw', 'rmsprop', 'sgd']);
    expect(() => optimizerFactories.sgd.schema.parse({ nesterov: true })).toThrow(/nesterov/);
    expect(() => optimizerFactories.adam.schema.parse({ beta1: 1 })).toThrow();
    expect(() => optimizerFactories.adamw.schema.parse({ momentum: 0.9 })).toThrow();
    expect(optimizerFactories.adamw.schema.parse({}).weightDecay).toBe(0.01);
  });

  it('rejects bad hyper-parameters with coded errors naming them', () => {
    const v = tf.variable(tf.zeros([2]), true, 'reject/hyper');
    const g = [{ name: 'g', lr: 0.1, variables: [v] }];
    const code = (arg: string) => (e: unknown) => isKilnError(e, 'KILN_OPTIMIZER_INVALID_OPTION') && e.details.argument === arg;
    expect(() => new Sgd(g, { nesterov: true })).toThrow(expect.toSatisfy(code('nesterov')));
    expect(() => new Sgd(g, { momentum: -1 })).toThrow(expect.toSatisfy(code('momentum')));
    expect(() => new Adam(g, { beta1: 1 })).toThrow(expect.toSatisfy(code('beta1')));
    expect(() => new Rmsprop([{ name: 'g', lr: Number.NaN, variables: [v] }])).toThrow(expect.toSatisfy(code('groups[0].lr')));
    expect(() => new Adam([{ name: 'g', lr: 0.1, weightDecay: -1, variables: [v] }])).toThrow(expect.toSatisfy(code('groups[0].weightDecay')));
    v.dispose();
  });

  it('rejects state of another optimizer or model', () => {
    const v = tf.variable(tf.zeros([2]), true, 'reject/v');
    const adam = optimizerFactories.adam.create(optimizerFactories.adam.schema.parse({}), [{ name: 'g', lr: 0.1, variables: [v] }]);
    const adamw = optimizerFactories.adamw.create(optimizerFactories.adamw.schema.parse({}), [{ name: 'g', lr: 0.1, variables: [v] }]);
    expect(() => adamw.loadStateDict(adam.stateDict())).toThrow(expect.toSatisfy((e: unknown) => isKilnError(e, 'KILN_OPTIMIZER_STATE_INVALID')));
    adam.applyGradients({ [v.name]: tf.ones([2]) });
    const w = tf.variable(tf.zeros([3]), true, 'reject/w');
    const other = new Adam([{ name: 'g', lr: 0.1, variables: [w] }]);
    const state = adam.stateDict();
    expect(() => other.loadStateDict(state)).toThrow(/shape differs/);
    tf.dispose(Object.values(state.tensors));
    [adam, adamw, other].forEach((o) => o.dispose());
    v.dispose();
    w.dispose();
  });
});

interface ClipCase { kind: 'norm' | 'value'; maxNorm?: number; normType?: number | 'inf'; norm?: number; value?: number; expected: Record<string, T> }
const clipFixture = JSON.parse(readFileSync(new URL('./fixtures/clip.json', import.meta.url), 'utf8')) as { grads: Record<string, T>; cases: ClipCase[] };

describe('gradient clipping equals torch.nn.utils (1e-5 relative)', () => {
  const label = (c: ClipCase) => (c.kind === 'norm' ? `clip_grad_norm_ max ${c.maxNorm}, norm type ${c.normType}` : `clip_grad_value_ ${c.value}`);
  it.each(clipFixture.cases.map((c) => [label(c), c] as const))('%s', (_name, c) => {
    const grads = Object.fromEntries(Object.entries(clipFixture.grads).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
    const before = tf.memory().numTensors;
    const out = c.kind === 'norm' ? clipByGlobalNorm(grads, c.maxNorm!, c.normType) : { grads: clipByValue(grads, c.value!), norm: undefined };
    if (out.norm) expectClose(out.norm.dataSync(), [c.norm!], 'norm');
    for (const [k, v] of Object.entries(c.expected)) expectClose(out.grads[k].dataSync(), v.data, k);
    tf.dispose([...Object.values(out.grads), ...(out.norm ? [out.norm] : [])]);
    expect(tf.memory().numTensors).toBe(before);
    for (const g of Object.values(grads)) expect(g.isDisposed).toBe(false);
    tf.dispose(Object.values(grads));
  });

  it('rejects a non-positive limit', () => {
    expect(() => clipByGlobalNorm({}, 0)).toThrow(expect.toSatisfy((e: unknown) => isKilnError(e, 'KILN_OPTIMIZER_INVALID_OPTION')));
    expect(() => clipByValue({}, -1)).toThrow(/value/);
  });
});
