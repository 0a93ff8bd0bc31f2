import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Callback } from '../contracts/callback.js';
import type { Batch } from '../contracts/dataset.js';
import { isKilnError } from '../errors.js';
import { Adam } from '../optim/adam.js';
import { classifyOom } from './oom.js';
import { SupervisedModule } from './supervised-module.js';
import { blobSource, memoryCheckpoints, sparseCe, weightsOf } from './test-utils/fixtures.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The error V8 throws when an ArrayBuffer cannot be allocated: what the cpu backend throws for a tensor that does not fit. */
function realAllocationError(): Error {
  try {
    new ArrayBuffer(2 ** 40); // 1 TiB: refused at once, nothing is reserved
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the allocation to fail');
}

/**
 * SupervisedModule (tiny blob classifier) whose step runs its forward pass and then fails like a
 * real allocation failure when the micro-batch is larger than `threshold` samples.
 */
class OomAbove extends SupervisedModule {
  readonly sizes: number[] = [];
  constructor(readonly threshold: number, seed: number, readonly error: () => Error = realAllocationError) {
    const model = tfl.sequential({ layers: [
      tfl.layers.dense({ inputShape: [4], units: 8, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ] });
    super({ model, loss: sparseCe, lr: 0.05, optimizer: (g) => new Adam(g) });
  }

  override trainingStep(batch: Batch): tf.Scalar {
    this.sizes.push(batch.size);
    const loss = super.trainingStep(batch); // the tape now holds saved tensors, as in a real failure mid-graph
    if (batch.size > this.threshold) throw this.error();
    return loss;
  }
}

describe('classifyOom', () => {
  it('recognises the allocation failures the backends really throw, and nothing else', () => {
    let cpuTooLarge: unknown;
    try { tf.zeros([5e9]); } catch (e) { cpuTooLarge = e; } // cpu backend: V8 refuses the typed array, nothing allocated
    expect(classifyOom(cpuTooLarge)).toBe('retry');
    expect(classifyOom(realAllocationError())).toBe('retry');
    // Recorded messages: tfjs-node (libtensorflow RESOURCE_EXHAUSTED), emscripten aborts (ABORTING_MALLOC builds), a wasm memory that cannot grow.
    for (const message of [
      'Invalid TF_Status: 8\nMessage: OOM when allocating tensor with shape[64,128,128,32] and type float on /job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu',
      'Aborted(OOM). Build with -sASSERTIONS for more info.',
      'Cannot enlarge memory arrays to size 2164260864 bytes (OOM). Either (1) compile with -sINITIAL_MEMORY=X with X higher than the current value',
      'WebAssembly.Memory(): could not allocate memory: Out of memory',
      'std::bad_alloc',
    ]) expect(classifyOom(new Error(message)), message).toBe('retry');
    for (const message of ['Error when checking input: expected dense_input to have shape [null,4]', 'Operands could not be broadcast together with shapes 8,4 and 3.', 'boom']) {
      expect(classifyOom(new Error(message)), message).toBeUndefined();
    }
    const trap = Object.assign(new Error('memory access out of bounds'), { name: 'RuntimeError' }); // what a wasm trap reads as
    expect(classifyOom(trap)).toBeUndefined(); // 'fatal' only on the wasm backend
  });
});

describe('OOM back-off', () => {
  it('splits batches into accumulated micro-batches: the same weights as the run without the error (1e-6), no leak, size kept', async () => {
    const clean = new OomAbove(Infinity, 5);
    const t0 = tf.memory().numTensors;
    await new Trainer({ maxEpochs: 2, numSanityValSteps: 0, accumulateGradBatches: 2 }).fit(clean, blobSource(48, 8, 2));
    const grownClean = tf.memory().numTensors - t0;

    const warnings: string[] = [];
    const failing = new OomAbove(2, 5);
    const t1 = tf.memory().numTensors;
    const r = await new Trainer({ maxEpochs: 2, numSanityValSteps: 0, accumulateGradBatches: 2 }, { warn: (m) => warnings.push(m) }).fit(failing, blobSource(48, 8, 2));
    expect(tf.memory().numTensors - t1).toBe(grownClean); // the tape tensors of failed steps were released
    expect(r.microBatchSize).toBe(2);
    // 8 failed, then 4 failed; from then on only micro-batches of 2 (12 batches × 4 of them).
    expect(failing.sizes.slice(0, 2)).toEqual([8, 4]);
    expect(failing.sizes.slice(2).every((s) => s === 2)).toBe(true);
    expect(failing.sizes.length).toBe(2 + 12 * 4);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/Out of memory .* on 8 samples \(Array buffer allocation failed\).*micro-batches of 4/);
    expect(warnings[1]).toMatch(/micro-batches of 2/);
    const [wa, wb] = [await weightsOf(clean.model), await weightsOf(failing.model)];
    wa.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - wb[i][j])).toBeLessThan(1e-6)));
    expect(wa.flatMap((w) => [...w])).not.toEqual(wb.flatMap((w) => [...w]).map(() => 0)); // trained, not trivially equal
  });

  it('handles batches that do not halve evenly (6 → 3 → 2 + 2 + 2; the last batch of 4 → 2 + 2)', async () => {
    const clean = new OomAbove(Infinity, 8);
    await new Trainer({ maxEpochs: 1, numSanityValSteps: 0 }).fit(clean, blobSource(22, 6, 3));
    const failing = new OomAbove(2, 8);
    await new Trainer({ maxEpochs: 1, numSanityValSteps: 0 }, { warn: () => {} }).fit(failing, blobSource(22, 6, 3));
    expect(failing.sizes).toEqual([6, 3, ...Array(11).fill(2)]);
    const [wa, wb] = [await weightsOf(clean.model), await weightsOf(failing.model)];
    wa.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - wb[i][j])).toBeLessThan(1e-6)));
  });

  it('gives up with KILN_TRAINER_OOM when one sample does not fit, and passes other errors through untouched', async () => {
    const never = new OomAbove(0, 1);
    await expect(new Trainer({ maxEpochs: 1, numSanityValSteps: 0 }, { warn: () => {} }).fit(never, blobSource(16, 8)))
      .rejects.toSatisfy((e) => isKilnError(e, 'KILN_TRAINER_OOM') && /single sample/.test((e as Error).message) && (e as Error).cause instanceof RangeError);
    expect(never.sizes).toEqual([8, 4, 2, 1]);
    const other = new OomAbove(2, 1, () => new Error('boom'));
    await expect(new Trainer({ maxEpochs: 1, numSanityValSteps: 0 }).fit(other, blobSource(16, 8))).rejects.toThrow(/^boom$/);
    expect(other.sizes).toEqual([8]);
  });

  it('a checkpoint keeps the micro-batch size: the resumed run never retries the large size and ends identical', async () => {
    const full = new OomAbove(4, 9);
    await new Trainer({ maxEpochs: 2, numSanityValSteps: 0 }, { warn: () => {} }).fit(full, blobSource(32, 8, 4));
    const checkpoints = memoryCheckpoints();
    const interrupt: Callback = {
      async onBatchEnd(ctx) { if (ctx.state.epoch === 0 && ctx.state.batchInEpoch === 3) { await ctx.saveCheckpoint('mem'); ctx.stop('interrupted'); } },
    };
    await new Trainer({ maxEpochs: 2, numSanityValSteps: 0 }, { callbacks: [interrupt], checkpointWriter: checkpoints.writer, warn: () => {} }).fit(new OomAbove(4, 9), blobSource(32, 8, 4));
    expect(checkpoints.last.trainerState.microBatchSize).toBe(4);
    const resumed = new OomAbove(4, 77);
    await new Trainer({ maxEpochs: 2, numSanityValSteps: 0 }).fit(resumed, blobSource(32, 8, 4), undefined, checkpoints.restore(resumed.model));
    expect(resumed.sizes.every((s) => s === 4)).toBe(true);
    const [wf, wr] = [await weightsOf(full.model), await weightsOf(resumed.model)];
    wf.forEach((w, i) => expect(Array.from(wr[i])).toEqual(Array.from(w)));
    checkpoints.dispose();
  });
});
