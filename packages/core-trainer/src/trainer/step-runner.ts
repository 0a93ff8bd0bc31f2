import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../contracts/dataset.js';
import type { OptimizerConfig, TrainingModule } from '../contracts/module.js';
import { type OptimizerState, positionalKeys } from '../contracts/optimizer.js';
import { clipByGlobalNorm, clipByValue, totalNorm } from '../optim/clip.js';
import type { Rng } from '../rng.js';
import { disposeExtras, preparesTrainBatches, sliceBatch } from './batches.js';
import { type LossSum, LossSums } from './loss-sums.js';
import type { MixedBatch } from './mixup.js';
import { runInMicroBatches } from './oom.js';
import type { ResolvedTrainerOptions } from './options.js';
import type { TrainerStateJson } from './state.js';

const ACCUM = 'trainer/accum/';

/**
 * The per-batch work of the Trainer, kept apart from the loop: batch preparation (mixup),
 * gradients, OOM back-off, clipping, accumulation, the optimizer step, LR from the schedules, and
 * loss sums kept on the device. Every tensor it keeps between steps is owned here and released in `dispose`.
 */
export class StepRunner {
  readonly #module: TrainingModule;
  readonly #config: OptimizerConfig;
  readonly #o: ResolvedTrainerOptions;
  readonly #vars: tf.Variable[];
  readonly #warn: (message: string) => void;
  #accum = new Map<string, tf.Tensor>();
  #accumulated = 0;
  readonly #losses = new LossSums();
  #gradNorm: tf.Scalar | undefined;
  #final: Record<string, tf.Tensor> | undefined;
  /** Samples per forward/backward pass after an out-of-memory back-off (undefined: whole batches). */
  microBatchSize: number | undefined;

  constructor(module: TrainingModule, config: OptimizerConfig, options: ResolvedTrainerOptions, warn: (message: string) => void) {
    this.#module = module;
    this.#config = config;
    this.#o = options;
    this.#warn = warn;
    this.#vars = config.optimizer.groups.flatMap((g) => [...g.variables]);
    this.#applyScheduleLr();
  }

  /**
   * One batch: prepared by the module (mixup, from `rng()`), then gradients added to the
   * accumulators — in micro-batches after an allocation failure (halved until a step fits; the
   * size is kept for the rest of the run). True when `accumulateGradBatches` batches are in.
   */
  step(batch: Batch, rng: () => Rng): boolean {
    const prepared: MixedBatch = preparesTrainBatches(this.#module) ? this.#module.prepareTrainBatch(batch, rng()) : batch;
    try {
      const parts: tf.Tensor[] = [];
      runInMicroBatches(batch.size, this, this.#warn, (start, size) => parts.push(this.#accumulate(prepared, start, size, batch.size)));
      const loss = parts.length === 1 ? parts[0] : tf.tidy(() => tf.addN(parts));
      if (parts.length > 1) tf.dispose(parts);
      this.#losses.add(loss, batch.size);
    } finally {
      disposeExtras(prepared, batch);
    }
    this.#accumulated += 1;
    return this.#accumulated >= this.#o.accumulateGradBatches;
  }

  /** Gradients of samples [pos, pos+size) weighted by their share of the batch; returns that share of the loss. */
  #accumulate(batch: MixedBatch, pos: number, size: number, total: number): tf.Tensor {
    const share = size / total;
    const scale = share / this.#o.accumulateGradBatches;
    const { loss, next } = tf.tidy(() => {
      const part = sliceBatch(batch, pos, size);
      const { value, grads } = tf.variableGrads(() => this.#module.trainingStep(part), this.#vars);
      const next: Record<string, tf.Tensor> = {};
      for (const [name, g] of Object.entries(grads)) {
        const prev = this.#accum.get(name);
        const add = scale === 1 ? g : tf.mul(g, scale);
        next[name] = prev ? tf.add(prev, add) : add;
      }
      return { loss: share === 1 ? value : tf.mul(value, share), next };
    });
    // Swap only once every accumulator is computed: a failure above leaves them untouched, so a retry adds nothing twice.
    for (const [name, t] of Object.entries(next)) {
      this.#accum.get(name)?.dispose();
      this.#accum.set(name, t);
    }
    return loss;
  }

  pendingAccumulation(): number {
    return this.#accumulated;
  }

  /**
   * The gradients the optimizer will apply: accumulated and clipped. Their pre-clip norm is
   * recorded when `recordNorm` (a step whose values are logged) or when clipping by norm computes
   * it anyway; other steps skip that work. Owned by the runner until `apply()`.
   */
  finalGrads(recordNorm = true): Readonly<Record<string, tf.Tensor>> {
    if (!this.#final) {
      const grads = Object.fromEntries(this.#accum);
      this.#final = tf.tidy(() => {
        const clipped = this.#clip(grads, recordNorm);
        for (const t of Object.values(clipped)) tf.keep(t);
        return clipped;
      });
    }
    return this.#final;
  }

  /** Applies `finalGrads()` with the optimizer and clears the accumulators. */
  apply(recordNorm = true): void {
    const grads = this.finalGrads(recordNorm);
    tf.tidy(() => this.#config.optimizer.applyGradients(grads));
    const owned = new Set([...Object.values(grads), ...this.#accum.values()]);
    tf.dispose([...owned]);
    this.#final = undefined;
    this.#accum.clear();
    this.#accumulated = 0;
  }

  /** Clips per the trainer options (torch's clip_grad_norm_ / clip_grad_value_); keeps the pre-clip L2 norm when asked or free. */
  #clip(grads: Record<string, tf.Tensor>, recordNorm: boolean): Record<string, tf.Tensor> {
    const limit = this.#o.gradientClipVal;
    let norm: tf.Tensor | undefined;
    let out = grads;
    if (limit !== undefined && this.#o.gradientClipAlgorithm === 'norm') {
      ({ grads: out, norm } = clipByGlobalNorm(grads, limit));
    } else {
      if (recordNorm) norm = totalNorm(Object.values(grads), 2);
      if (limit !== undefined) out = clipByValue(grads, limit);
    }
    this.#gradNorm?.dispose();
    this.#gradNorm = recordNorm && norm ? (tf.keep(norm) as tf.Scalar) : undefined;
    return out;
  }

  /** Called after an optimizer step (`step`) or after validation (`epoch`) for schedules of that interval. */
  stepSchedules(interval: 'step' | 'epoch', metric?: number): void {
    const schedules = this.#config.schedules ?? [];
    for (const s of schedules) if (s.interval === interval) s.step(metric);
    this.#applyScheduleLr();
  }

  #applyScheduleLr() {
    this.#config.schedules?.forEach((s, i) => this.#config.optimizer.setLr(i, s.lr));
  }

  /** Mean training loss since the last call, the LR of group 0 and the gradient norm: one readback. */
  async readStepLogs(): Promise<Record<string, number>> {
    const [loss, norm] = await Promise.all([this.#losses.readStep(), this.#gradNorm?.data()]);
    const out: Record<string, number> = { train_loss_step: loss, lr: this.#config.optimizer.getLr(0) };
    if (norm) out.grad_norm = norm[0];
    this.#gradNorm?.dispose(); // read once: nothing is held between steps
    this.#gradNorm = undefined;
    return out;
  }

  /** Mean training loss over the epoch so far, and the current LR. */
  async readEpochLogs(): Promise<Record<string, number>> {
    return { loss: await this.#losses.readEpoch(), lr: this.#config.optimizer.getLr(0) };
  }

  /** The epoch's and the current logging interval's loss sums, for a checkpoint. */
  lossState(): Promise<{ epoch: LossSum; step: LossSum }> {
    return this.#losses.state();
  }

  resetEpoch(): void {
    this.#losses.resetEpoch();
  }

  /** Optimizer state plus pending accumulated gradients; the caller disposes the tensors. */
  stateDict(): OptimizerState {
    const s = this.#config.optimizer.stateDict();
    const tensors: Record<string, tf.Tensor> = { ...s.tensors };
    const { toKey } = positionalKeys(this.#config.optimizer.groups);
    for (const [k, v] of this.#accum) tensors[ACCUM + toKey.get(k)] = v.clone();
    return { tensors, meta: s.meta };
  }

  loadStateDict(state: OptimizerState, trainer: TrainerStateJson): void {
    const own: Record<string, tf.Tensor> = {};
    const { toName } = positionalKeys(this.#config.optimizer.groups);
    for (const [k, v] of Object.entries(state.tensors)) {
      const name = k.startsWith(ACCUM) ? toName.get(k.slice(ACCUM.length)) : undefined;
      if (name) this.#accum.set(name, tf.keep(v.clone()));
      else own[k] = v;
    }
    this.#config.optimizer.loadStateDict({ tensors: own, meta: state.meta });
    this.#accumulated = trainer.accumulated;
    this.#losses.resetEpoch(trainer.epochLoss);
    if (trainer.stepLoss) this.#losses.restoreStep(trainer.stepLoss);
    this.microBatchSize = trainer.microBatchSize;
    this.#applyScheduleLr();
  }

  dispose(): void {
    tf.dispose([...this.#accum.values()]);
    this.#losses.dispose();
    this.#gradNorm?.dispose();
    this.#accum.clear();
  }
}
