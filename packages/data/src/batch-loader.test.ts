import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Dataset, DatasetSpec, Sample } from '@kiln/core-trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchLoader } from './batch-loader.js';
import { InMemoryDataset } from './in-memory-dataset.js';

const spec: DatasetSpec = { inputShape: [2, 2, 1], task: 'classification', numClasses: 10, targetShape: [], targetDtype: 'int32' };
/** Sample i has x filled with i and label i % 10, so a batch reveals which samples it holds. */
const numbered = (n: number): InMemoryDataset =>
  new InMemoryDataset(spec, Array.from({ length: n }, (_, i) => ({ x: new Float32Array(4).fill(i), y: i % 10, id: `s${i}` })));

async function ids(loader: BatchLoader, epoch: number, start = 0): Promise<number[][]> {
  const out: number[][] = [];
  for await (const b of loader.epoch(epoch, start)) {
    const x = await b.x.data();
    out.push(Array.from({ length: b.size }, (_, i) => x[i * 4]));
    tf.dispose([b.x, b.y]);
  }
  return out;
}

beforeAll(async () => { await tf.setBackend('cpu'); });

describe('BatchLoader', () => {
  it('collates x as [N,H,W,C] float32 and y as int32 [N], with a short last batch unless dropLast', async () => {
    const loader = new BatchLoader(numbered(10), { batchSize: 4 });
    expect(loader.numBatches).toBe(3);
    const batches = [];
    for await (const b of loader.epoch(0)) batches.push(b);
    expect(batches.map((b) => b.x.shape)).toEqual([[4, 2, 2, 1], [4, 2, 2, 1], [2, 2, 2, 1]]);
    expect(batches[0].x.dtype).toBe('float32');
    expect(batches[2].y.dtype).toBe('int32');
    expect(Array.from(await batches[2].y.data())).toEqual([8, 9]);
    expect(Array.from(await batches[1].x.data()).slice(0, 8)).toEqual([4, 4, 4, 4, 5, 5, 5, 5]);
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
    expect(new BatchLoader(numbered(10), { batchSize: 4, dropLast: true }).numBatches).toBe(2);
  });

  it('shuffles each epoch from (seed, epoch) only: same seed → same order, regardless of earlier epochs', async () => {
    const a = new BatchLoader(numbered(20), { batchSize: 5, shuffle: true, seed: 3 });
    const b = new BatchLoader(numbered(20), { batchSize: 5, shuffle: true, seed: 3 });
    await ids(a, 0);
    await ids(a, 1);
    const e2 = await ids(a, 2);
    expect(await ids(b, 2)).toEqual(e2);
    expect(e2.flat()).toEqual(a.order(2));
    expect(e2.flat().slice().sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(a.order(1)).not.toEqual(a.order(2));
    expect(new BatchLoader(numbered(20), { batchSize: 5, shuffle: true, seed: 4 }).order(2)).not.toEqual(a.order(2));
    expect(new BatchLoader(numbered(20), { batchSize: 5 }).order(5)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('resumes mid-epoch: epoch(e, k) yields exactly the batches k… of a full epoch(e)', async () => {
    const loader = new BatchLoader(numbered(23), { batchSize: 4, shuffle: true, seed: 9 });
    const full = await ids(loader, 4);
    expect(await ids(loader, 4, 3)).toEqual(full.slice(3));
    expect(await ids(loader, 4, loader.numBatches)).toEqual([]);
    expect(() => loader.epoch(4, loader.numBatches + 1)).toThrow(expect.objectContaining({ code: 'KILN_DATA_INVALID_OPTION' }));
  });

  it('restricts to `indices` and batches them in a seeded order', async () => {
    const loader = new BatchLoader(numbered(50), { batchSize: 3, shuffle: true, seed: 1, indices: [5, 7, 9, 11, 13] });
    const got = (await ids(loader, 0)).flat();
    expect(got.slice().sort((x, y) => x - y)).toEqual([5, 7, 9, 11, 13]);
    expect(() => new BatchLoader(numbered(5), { batchSize: 2, indices: [0, 5] })).toThrow(expect.objectContaining({ code: 'KILN_DATA_INVALID_OPTION' }));
  });

  it('leaves no tensors behind across epochs, also when the consumer stops mid-epoch', async () => {
    const loader = new BatchLoader(numbered(30), { batchSize: 4, shuffle: true, seed: 2, prefetch: 2 });
    const before = tf.memory().numTensors;
    for (let e = 0; e < 3; e++) await ids(loader, e);
    expect(tf.memory().numTensors).toBe(before);
    for await (const b of loader.epoch(3)) {
      tf.dispose([b.x, b.y]);
      break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads the next batch while the current one is being used (prefetch), passing the epoch to get', async () => {
    const requested: number[] = [];
    const epochs = new Set<number | undefined>();
    const ds: Dataset = {
      spec, size: 8,
      get: (async (i: number, ctx?: { epoch: number }): Promise<Sample> => {
        requested.push(i);
        epochs.add(ctx?.epoch);
        return { x: new Float32Array(4).fill(i), y: i };
      }) as Dataset['get'],
    };
    const it = new BatchLoader(ds, { batchSize: 2, prefetch: 1 }).epoch(3)[Symbol.asyncIterator]();
    const first = await it.next();
    await new Promise((r) => setTimeout(r, 0));
    expect(requested.slice().sort()).toEqual([0, 1, 2, 3]);
    expect([...epochs]).toEqual([3]);
    tf.dispose([first.value.x, first.value.y]);
    await it.return?.(undefined);
  });

  it('makes float32 [N, C] multi-label and int32 [N, H, W] multi-class mask targets from the spec', async () => {
    const ml: DatasetSpec = { inputShape: [1, 1, 1], task: 'multilabel', numClasses: 3, targetShape: [3], targetDtype: 'float32' };
    const mlDs = new InMemoryDataset(ml, [{ x: new Float32Array(1), y: new Float32Array([1, 0, 1]) }, { x: new Float32Array(1), y: new Float32Array([0, 1, 0]) }]);
    for await (const b of new BatchLoader(mlDs, { batchSize: 2 }).epoch(0)) {
      expect([b.y.shape, b.y.dtype]).toEqual([[2, 3], 'float32']);
      expect(Array.from(await b.y.data())).toEqual([1, 0, 1, 0, 1, 0]);
      tf.dispose([b.x, b.y]);
    }
    const seg: DatasetSpec = { inputShape: [2, 2, 3], task: 'segmentation', numClasses: 3, targetShape: [2, 2], targetDtype: 'int32' };
    const segDs = new InMemoryDataset(seg, [{ x: new Float32Array(12), y: new Int32Array([0, 1, 2, 1]) }]);
    for await (const b of new BatchLoader(segDs, { batchSize: 4 }).epoch(0)) {
      expect([b.y.shape, b.y.dtype]).toEqual([[1, 2, 2], 'int32']);
      tf.dispose([b.x, b.y]);
    }
  });

  it('rejects samples that do not match the spec, naming the sample, and propagates read errors', async () => {
    expect(() => new InMemoryDataset(spec, [{ x: new Float32Array(3), y: 0, id: 'a.png' }])).toThrow(/sample 0 \(a\.png\).*3 values.*needs 4/);
    const bad: Dataset = { spec, size: 4, get: (i) => { if (i === 2) throw new Error('disk on fire'); return { x: new Float32Array(4), y: 0 }; } };
    await expect(ids(new BatchLoader(bad, { batchSize: 2 }), 0)).rejects.toThrow('disk on fire');
    expect(() => new BatchLoader(numbered(1), { batchSize: 2, dropLast: true })).toThrow(expect.objectContaining({ code: 'KILN_DATA_EMPTY' }));
  });
});
