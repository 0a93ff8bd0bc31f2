import { describe, expect, it } from 'vitest';
import { createShapesDataset } from '../synthetic/shapes.js';
import { randomSplit, randomSplitIndices } from './random-split.js';

describe('randomSplit', () => {
  it('partitions the indices, is seeded, and gives views of the source', () => {
    const s = randomSplitIndices(50, 0.2, 1);
    expect(s.val).toHaveLength(10);
    expect([...s.train, ...s.val].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(randomSplitIndices(50, 0.2, 1)).toEqual(s);
    expect(randomSplitIndices(50, 0.2, 2).val).not.toEqual(s.val);
    const ds = createShapesDataset({ task: 'classification', size: 10, imageSize: 8 });
    const { train, val } = randomSplit(ds, 0.3, 4);
    expect([train.size, val.size]).toEqual([7, 3]);
    expect(val.get(1)).toEqual(ds.get(val.indices[1]));
  });

  it('refuses a split that leaves a side empty', () => {
    expect(() => randomSplitIndices(3, 0.1, 0)).toThrow(expect.objectContaining({ code: 'KILN_DATA_EMPTY' }));
    expect(() => randomSplitIndices(3, 1.5, 0)).toThrow(/valFraction/);
  });
});
