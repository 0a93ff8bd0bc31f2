import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Callback } from '../contracts/callback.js';
import type { Logger } from '../contracts/logger.js';
import { blobSource, memoryCheckpoints, tinyModule, weightsOf } from './test-utils/fixtures.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface Calls { texts: [number, string, string][]; histograms: [number, string, Float32Array][]; metrics: number }

function richLogger(calls: Calls): Logger {
  return {
    name: 'rich', logParams() {}, finish() {},
    logMetrics: () => { calls.metrics += 1; },
    logText: (step, tag, text) => { calls.texts.push([step, tag, text]); },
    logHistogram: (step, tag, values) => { calls.histograms.push([step, tag, values.slice()]); },
  };
}

describe('logger extras', () => {
  it('logs the model summary once at train begin and weight histograms every histogramEveryNEpochs', async () => {
    const calls: Calls = { texts: [], histograms: [], metrics: 0 };
    const plain: Logger = { name: 'plain', logParams() {}, logMetrics() {}, finish() {} }; // no optional methods: skipped
    const module = tinyModule(2);
    const names = module.model.layers.map((l) => l.name);
    await new Trainer({ maxEpochs: 4, numSanityValSteps: 0, histogramEveryNEpochs: 2 }, { loggers: [plain, richLogger(calls)] }).fit(module, blobSource(32, 8));

    expect(calls.texts).toHaveLength(1);
    const [step, tag, text] = calls.texts[0];
    expect([step, tag]).toEqual([0, 'model_summary']);
    // dense 4→8: 4·8 + 8 = 40 params; dense 8→2: 8·2 + 2 = 18; total 58.
    const rows = text.split('\n');
    expect(rows.find((r) => r.startsWith(names[0]))).toMatch(/Dense\s+\[N,8\]\s+40\b/);
    expect(rows.find((r) => r.startsWith(names[1]))).toMatch(/Dense\s+\[N,2\]\s+18\b/);
    expect(text).toMatch(/Total params: 58\b/);

    // 4 batches per epoch: after epochs 2 and 4 (steps 8 and 16), one histogram per weight tensor.
    const tags = module.model.weights.map((w) => `weights/${w.originalName}`);
    expect(tags).toEqual([`weights/${names[0]}/kernel`, `weights/${names[0]}/bias`, `weights/${names[1]}/kernel`, `weights/${names[1]}/bias`]);
    expect(calls.histograms.map(([s, t]) => [s, t])).toEqual([...tags.map((t) => [8, t]), ...tags.map((t) => [16, t])]);
    const final = await weightsOf(module.model);
    calls.histograms.slice(4).forEach(([, , values], i) => expect(Array.from(values)).toEqual(Array.from(final[i])));
    expect(Array.from(calls.histograms[0][2])).not.toEqual(Array.from(final[0])); // epoch-2 weights, not a later copy
  });

  it('logs no histograms by default, and no second summary when resuming', async () => {
    const calls: Calls = { texts: [], histograms: [], metrics: 0 };
    const checkpoints = memoryCheckpoints();
    const stopAt: Callback = { async onBatchEnd(ctx) { if (ctx.state.globalStep === 3) { await ctx.saveCheckpoint('mem'); ctx.stop('interrupted'); } } };
    const module = tinyModule(2);
    await new Trainer({ maxEpochs: 2, numSanityValSteps: 0 }, { loggers: [richLogger(calls)], callbacks: [stopAt], checkpointWriter: checkpoints.writer }).fit(module, blobSource(32, 8));
    expect(calls.texts).toHaveLength(1);
    await new Trainer({ maxEpochs: 2, numSanityValSteps: 0 }, { loggers: [richLogger(calls)] }).fit(module, blobSource(32, 8), undefined, checkpoints.last);
    expect(calls.texts).toHaveLength(1);
    expect(calls.histograms).toHaveLength(0);
    expect(calls.metrics).toBeGreaterThan(0);
    checkpoints.dispose();
  });
});
