import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import ref from '../__fixtures__/reference.json' with { type: 'json' };
import { groupSplitIndices, kFoldIndices } from './grouped.js';
import { assertNoLeakage, checkLeakage } from './leakage.js';
import { balancedClassWeights, classCounts, stratifiedSplitIndices, stratifiedSubsample } from './stratified.js';

const labels = [...new Array(60).fill(0), ...new Array(30).fill(1), ...new Array(10).fill(2)];
const count = (idx: number[], k: number): number => idx.filter((i) => labels[i] === k).length;

describe('splits', () => {
  it('stratified split keeps class shares and is seeded', () => {
    const s = stratifiedSplitIndices(labels, 0.2, 1);
    expect([count(s.val, 0), count(s.val, 1), count(s.val, 2)]).toEqual([12, 6, 2]);
    expect([...s.train, ...s.val].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    expect(stratifiedSplitIndices(labels, 0.2, 1)).toEqual(s);
    expect(stratifiedSplitIndices(labels, 0.2, 2).val).not.toEqual(s.val);
  });

  it('stratified subsample keeps each class (at least one) in proportion', () => {
    const sub = stratifiedSubsample(labels, 0.05, 3);
    expect([count(sub, 0), count(sub, 1), count(sub, 2)]).toEqual([3, 2, 1]);
  });

  it('grouped split never puts a group on both sides', () => {
    const groups = labels.map((_, i) => `p${Math.floor(i / 3)}`);
    const s = groupSplitIndices(groups, 0.25, 5);
    const tg = new Set(s.train.map((i) => groups[i]));
    expect(s.val.some((i) => tg.has(groups[i]))).toBe(false);
    expect(Math.abs(s.val.length - 25)).toBeLessThanOrEqual(3);
  });

  it('k-fold: every index is validation in exactly one fold; stratified and grouped variants', () => {
    for (const by of [{}, { labels }, { groups: labels.map((_, i) => `g${i % 17}`) }]) {
      const seen = new Array(labels.length).fill(0);
      for (let f = 0; f < 5; f++) {
        const s = kFoldIndices(labels.length, 5, f, 9, by);
        s.val.forEach((i) => seen[i]++);
        expect(s.train.length + s.val.length).toBe(labels.length);
        if ('labels' in by) expect([count(s.val, 0), count(s.val, 1), count(s.val, 2)]).toEqual([12, 6, 2]);
        if ('groups' in by && by.groups) {
          const tg = new Set(s.train.map((i) => by.groups![i]));
          expect(s.val.some((i) => tg.has(by.groups![i]))).toBe(false);
        }
      }
      expect(seen.every((n) => n === 1)).toBe(true);
    }
    expect(() => kFoldIndices(10, 5, 5, 0)).toThrow(/fold/);
  });

  it('balanced class weights equal scikit-learn compute_class_weight("balanced") within 1e-12', () => {
    for (const c of ref.classWeights) {
      balancedClassWeights(c.labels, c.numClasses).forEach((w, k) => expect(Math.abs(w - c.weights[k])).toBeLessThan(1e-12));
    }
    expect(classCounts([0, 2, 2, [1, 0, 1], [-1, 1, 0]], 3)).toEqual([2, 1, 3]);
    expect(() => balancedClassWeights([0, 0, 2], 3, ['a', 'b', 'c'])).toThrow(expect.objectContaining({ code: 'KILN_DATA_EMPTY_CLASS', message: expect.stringContaining("'b'") }));
  });

  it('leakage check finds shared groups, shared paths and identical content under other names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kiln-leak-'));
    const [a, b, c] = ['a.png', 'b.png', 'c.png'].map((f) => join(dir, f));
    await writeFile(a, 'same bytes');
    await writeFile(b, 'same bytes');
    await writeFile(c, 'other');
    const r = await checkLeakage({ train: [{ path: a, group: 'p1' }, { path: c, group: 'p2' }], val: [{ path: b, group: 'p1' }, { path: c, group: 'p3' }] }, { content: true });
    expect(r.groups).toEqual([{ group: 'p1', splits: ['train', 'val'] }]);
    expect(r.duplicates).toContainEqual({ files: [c], splits: ['train', 'val'], by: 'path' });
    expect(r.duplicates).toContainEqual({ files: [a, b], splits: ['train', 'val'], by: 'content' });
    expect(() => assertNoLeakage(r)).toThrow(expect.objectContaining({ code: 'KILN_DATA_GROUP_LEAK' }));
    expect(() => assertNoLeakage({ ...r, groups: [] })).toThrow(expect.objectContaining({ code: 'KILN_DATA_DUPLICATE' }));
    expect((await checkLeakage({ train: [{ path: a }], val: [{ path: c }] })).ok).toBe(true);
  });
});
