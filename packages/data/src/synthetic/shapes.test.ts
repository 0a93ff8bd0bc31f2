import { describe, expect, it } from 'vitest';
import type { Sample } from '@kiln/core-trainer';
import { createShapesDataset } from './shapes.js';

const get = (ds: ReturnType<typeof createShapesDataset>, i: number): Sample => ds.get(i) as Sample;

describe('createShapesDataset', () => {
  it('is reproducible from its seed, differs across seeds, and startIndex continues the same stream', () => {
    const a = createShapesDataset({ task: 'segmentation', size: 20, seed: 5 });
    const b = createShapesDataset({ task: 'segmentation', size: 20, seed: 5 });
    const c = createShapesDataset({ task: 'segmentation', size: 20, seed: 6 });
    expect(get(a, 7).x).toEqual(get(b, 7).x);
    expect(get(a, 7).y).toEqual(get(b, 7).y);
    expect(get(a, 7).x).not.toEqual(get(c, 7).x);
    expect(get(a, 7).x).not.toEqual(get(a, 8).x);
    const tail = createShapesDataset({ task: 'segmentation', size: 5, seed: 5, startIndex: 15 });
    expect(get(tail, 2)).toEqual(get(a, 17));
  });

  it('segmentation: RGB in [0,1], a binary float mask of a sensible area that matches the bright shapes', () => {
    const ds = createShapesDataset({ task: 'segmentation', size: 40, imageSize: 32, seed: 1 });
    expect(ds.spec).toMatchObject({ inputShape: [32, 32, 3], numClasses: 1, targetShape: [32, 32, 1], targetDtype: 'float32' });
    let inter = 0, pred = 0, truth = 0;
    for (let i = 0; i < ds.size; i++) {
      const { x, y } = get(ds, i);
      const m = y as Float32Array;
      expect(x.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(m.every((v) => v === 0 || v === 1)).toBe(true);
      const area = m.reduce((s, v) => s + v, 0) / m.length;
      expect(area).toBeGreaterThan(0.01);
      expect(area).toBeLessThan(0.7);
      for (let p = 0; p < m.length; p++) {
        // Shapes are drawn brighter than the background: a brightness threshold is a strong baseline (learnable task).
        const on = x[p * 3] + x[p * 3 + 1] + x[p * 3 + 2] > 1.45 ? 1 : 0;
        inter += on * m[p]; pred += on; truth += m[p];
      }
    }
    expect((2 * inter) / (pred + truth)).toBeGreaterThan(0.85);
  });

  it('classification: int32 labels covering every kind; multi-class segmentation: int32 [H, W] class indices', () => {
    const cls = createShapesDataset({ task: 'classification', size: 60, numClasses: 4, seed: 2 });
    expect(cls.spec).toMatchObject({ numClasses: 4, targetShape: [], targetDtype: 'int32', classNames: ['circle', 'square', 'triangle', 'cross'] });
    const labels = new Set(Array.from({ length: 60 }, (_, i) => get(cls, i).y));
    expect([...labels].sort()).toEqual([0, 1, 2, 3]);
    const seg = createShapesDataset({ task: 'segmentation', size: 30, numClasses: 3, imageSize: 16, seed: 2 });
    expect(seg.spec).toMatchObject({ numClasses: 3, targetShape: [16, 16], targetDtype: 'int32', classNames: ['background', 'circle', 'square'] });
    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) (get(seg, i).y as Int32Array).forEach((v) => seen.add(v));
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });

  it('rejects bad options with the option name', () => {
    expect(() => createShapesDataset({ task: 'classification', size: 10, numClasses: 9 })).toThrow(/numClasses/);
    expect(() => createShapesDataset({ task: 'segmentation', size: 0 })).toThrow(expect.objectContaining({ code: 'KILN_DATA_INVALID_OPTION' }));
    expect(() => get(createShapesDataset({ task: 'segmentation', size: 2 }), 2)).toThrow(expect.objectContaining({ code: 'KILN_DATA_INDEX_RANGE' }));
  });
});
