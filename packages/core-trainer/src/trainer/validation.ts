import * as tf from '@tensorflow/tfjs-core';
import type { StepCompiler } from '../backend/step-compiler.js';
import type { BatchSource } from '../contracts/dataset.js';
import type { TrainingModule } from '../contracts/module.js';
import { iterate } from './batches.js';

/**
 * One validation pass over the first `limit` batches of `source` (epoch 0: validation order never
 * changes): `val_loss`, the sample-weighted mean of `validationStep`, and `val_<metric>` (record
 * metrics as `val_<metric>/<key>`). Metrics are reset first; the loss is summed on the device and
 * read back once at the end. With `compiler`, each batch's step runs through it (compiled where the backend can).
 * @example const logs = await runValidation(module, valLoader, valLoader.numBatches); logs.val_loss
 */
export async function runValidation(module: TrainingModule, source: BatchSource, limit: number, compiler?: StepCompiler): Promise<Record<string, number>> {
  for (const m of module.metrics) m.reset();
  let lossSum: tf.Tensor = tf.scalar(0);
  let count = 0;
  try {
    for await (const batch of iterate(source, 0, 0, limit)) {
      try {
        const step = () => tf.tidy(() => tf.add(lossSum, tf.mul(module.validationStep(batch), batch.size)));
        const next = compiler ? compiler.run(step) : step();
        lossSum.dispose();
        lossSum = next;
        count += batch.size;
      } finally {
        batch.x.dispose();
        batch.y.dispose();
      }
    }
    const out: Record<string, number> = { val_loss: (await lossSum.data())[0] / Math.max(1, count) };
    for (const m of module.metrics) {
      const v = await m.compute();
      if (typeof v === 'number') out[`val_${m.name}`] = v;
      else for (const [k, x] of Object.entries(v)) out[`val_${m.name}/${k}`] = x;
    }
    return out;
  } finally {
    lossSum.dispose();
  }
}

/** `module.predictStep` over every batch of `source` (through `compiler` when given), concatenated along the batch axis (the caller disposes it). */
export async function predictAll(module: TrainingModule, source: BatchSource, compiler?: StepCompiler): Promise<tf.Tensor> {
  const parts: tf.Tensor[] = [];
  for await (const batch of iterate(source, 0, 0, source.numBatches)) {
    const step = () => tf.tidy(() => module.predictStep(batch));
    parts.push(compiler ? compiler.run(step) : step());
    batch.x.dispose();
    batch.y.dispose();
  }
  const out = tf.concat(parts, 0);
  tf.dispose(parts);
  return out;
}
