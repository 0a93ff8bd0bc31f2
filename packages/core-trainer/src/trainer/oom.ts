import * as tf from '@tensorflow/tfjs-core';
import { KilnError } from '../errors.js';
import { TrainerErrorCodes } from './errors.js';

/**
 * Allocation failures a smaller batch can avoid, as the backends really report them:
 * - cpu (V8 typed arrays): `RangeError: Array buffer allocation failed`, `Invalid typed array length: N`
 *   (also thrown on wasm when a host-side array for upload is too large);
 * - native (libtensorflow via tfjs-node): `Invalid TF_Status: 8` (RESOURCE_EXHAUSTED) with
 *   `OOM when allocating tensor with shape[…]`, `… ran out of memory trying to allocate …`, `std::bad_alloc`;
 * - wasm builds that abort on a failed malloc (emscripten): `Aborted(OOM)`, `Cannot enlarge memory arrays`,
 *   and `Out of memory` when a WebAssembly.Memory cannot grow.
 */
const RETRYABLE = [
  /Array buffer allocation failed/i, /Invalid typed array length/i, /\bOOM\b/, /out of memory/i, /Cannot enlarge memory/i,
  /\bbad_alloc\b/, /RESOURCE_EXHAUSTED|Resource exhausted|TF_Status: 8\b/,
];

/**
 * tfjs-backend-wasm 4.x grows its heap up to 4 GB and, when `malloc` fails, writes the kernel's
 * output at address 0 (tensorflow/tfjs#4208): the trap that follows means the module's memory is
 * overwritten, so the step cannot be retried in this process.
 */
const WASM_TRAP = /memory access out of bounds/i;

/** How to treat an error thrown by a training step: `retry` with a smaller batch, `fatal` out-of-memory, or not an OOM. */
export function classifyOom(error: unknown): 'retry' | 'fatal' | undefined {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (RETRYABLE.some((re) => re.test(text))) return 'retry';
  if (WASM_TRAP.test(text) && tf.getBackend() === 'wasm') return 'fatal';
  return undefined;
}

/**
 * After `tf.variableGrads` throws, tfjs keeps the tensors its tape saved for the backward pass
 * (they are `keep`-ed and only released by a completed backward pass): dispose them, so a failed
 * step leaks nothing. Safe to call when no tape is active.
 */
export function releaseTape(): void {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: { saved?: tf.Tensor[] }[] | null } }).state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}

/** The KILN_TRAINER_OOM error for a step that cannot be made to fit. */
export function oomError(cause: unknown, batchSize: number, fatal: boolean): KilnError {
  const what = (cause as Error)?.message ?? String(cause);
  const message = fatal
    ? `The wasm backend trapped ('${what}') while training on micro-batches of ${batchSize}: its 4 GB heap most likely overflowed, ` +
      'which tfjs-wasm cannot recover from. Lower data.batchSize or data.imageSize, or use the native backend.'
    : `A training step ran out of memory even with a single sample per micro-batch ('${what}'). ` +
      'Lower data.imageSize or the model size, free memory for this process, or use a backend with more memory.';
  return new KilnError(TrainerErrorCodes.OOM, message, { cause, details: { microBatchSize: batchSize, backend: tf.getBackend() } });
}

/**
 * Runs `run(start, size)` over samples [0, total) in micro-batches of `backoff.microBatchSize`
 * (all at once while unset). On a retryable allocation failure it halves the size that failed,
 * remembers it in `backoff`, warns once per halving and retries from the failed micro-batch (a
 * failed `run` must leave no effect); a single sample that does not fit ends in KILN_TRAINER_OOM.
 */
export function runInMicroBatches(total: number, backoff: { microBatchSize: number | undefined }, warn: (message: string) => void, run: (start: number, size: number) => void): void {
  for (let pos = 0; pos < total;) {
    const size = Math.min(backoff.microBatchSize ?? total, total - pos);
    try {
      run(pos, size);
      pos += size;
    } catch (error) {
      releaseTape();
      const oom = classifyOom(error);
      if (!oom) throw error;
      if (oom === 'fatal' || size <= 1) throw oomError(error, size, oom === 'fatal');
      backoff.microBatchSize = Math.ceil(size / 2);
      warn(`Out of memory in a training step on ${size} samples (${(error as Error)?.message ?? error}); ` +
        `continuing with micro-batches of ${backoff.microBatchSize}, gradients accumulated over each batch (same update, slower).`);
    }
  }
}
