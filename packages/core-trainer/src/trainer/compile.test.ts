import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type StepCompiler, registerStepCompiler } from '../backend/step-compiler.js';
import type { Callback } from '../contracts/callback.js';
import { blobSource, tinyModule, weightsOf } from './test-utils/fixtures.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => registerStepCompiler('cpu', undefined));

/** A step compiler that runs `fn` as is (a valid implementation of the contract) and records what happened inside. */
function recordingCompiler(module: ReturnType<typeof tinyModule>) {
  const seen = { calls: 0, weightChanges: 0 };
  const compiler: StepCompiler = {
    run(fn) {
      seen.calls += 1;
      const before = module.model.trainableWeights[0]!.read().dataSync().slice();
      const out = fn();
      const after = module.model.trainableWeights[0]!.read().dataSync();
      if (after.some((v, i) => v !== before[i])) seen.weightChanges += 1;
      return out;
    },
    stats: () => ({ compiledSteps: seen.calls, eagerSteps: 0, graphs: 0, fallbacks: [] }),
  };
  return { compiler, seen };
}

describe('Trainer option compile', () => {
  it('runs each batch\'s gradients and optimizer step, and each validation batch, inside the backend\'s step compiler, by default', async () => {
    const module = tinyModule(4);
    const { compiler, seen } = recordingCompiler(module);
    registerStepCompiler('cpu', compiler);
    const r = await new Trainer({ maxEpochs: 2, numSanityValSteps: 0 }).fit(module, blobSource(32, 8, 2), blobSource(16, 8, 5));
    // 4 training batches and 2 validation batches per epoch; only training steps change weights.
    expect(seen.calls).toBe(r.globalStep + 2 * 2);
    expect(seen.weightChanges).toBe(r.globalStep);
    // The same run without a compiler ends with the same weights (this compiler runs fn as is).
    registerStepCompiler('cpu', undefined);
    const plain = tinyModule(4);
    const r2 = await new Trainer({ maxEpochs: 2, numSanityValSteps: 0 }).fit(plain, blobSource(32, 8, 2), blobSource(16, 8, 5));
    expect(await weightsOf(module.model)).toEqual(await weightsOf(plain.model));
    expect(r2.logs.val_loss).toBe(r.logs.val_loss);
  });

  it('Trainer.predict runs each batch through it and returns what the plain path returns', async () => {
    const module = tinyModule(4);
    const { compiler, seen } = recordingCompiler(module);
    const plain = await new Trainer({ maxEpochs: 1 }).predict(module, blobSource(24, 8, 3));
    registerStepCompiler('cpu', compiler);
    const viaCompiler = await new Trainer({ maxEpochs: 1 }).predict(module, blobSource(24, 8, 3));
    expect(seen.calls).toBe(3);
    expect(Array.from(viaCompiler.dataSync())).toEqual(Array.from(plain.dataSync()));
    tf.dispose([plain, viaCompiler]);
  });

  it('compile: false never calls it', async () => {
    const module = tinyModule(4);
    const { compiler, seen } = recordingCompiler(module);
    registerStepCompiler('cpu', compiler);
    await new Trainer({ maxEpochs: 1, numSanityValSteps: 0, compile: false }).fit(module, blobSource(16, 8, 2));
    expect(seen.calls).toBe(0);
  });

  it('with an onBeforeOptimizerStep hook, the optimizer step runs after the hook, outside the compiled part', async () => {
    const module = tinyModule(4);
    const { compiler, seen } = recordingCompiler(module);
    registerStepCompiler('cpu', compiler);
    let hooks = 0;
    const hook: Callback = { name: 'peek', onBeforeOptimizerStep: (ctx) => { hooks += 1; expect(Object.keys(ctx.grads ?? {}).length).toBeGreaterThan(0); } };
    await new Trainer({ maxEpochs: 1, numSanityValSteps: 0 }, { callbacks: [hook] }).fit(module, blobSource(16, 8, 2));
    expect(hooks).toBe(2);
    expect(seen.calls).toBe(2);
    expect(seen.weightChanges).toBe(0);
  });
});
