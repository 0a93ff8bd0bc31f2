import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../contracts/dataset.js';
import type { OptimizerConfig, TrainingModule } from '../contracts/module.js';
import { type OptimizerState, positionalKeys } from '../contracts/optimizer.js';
import { CoreErrorCodes, KilnError } from '../errors.js';
import { clipByGlobalNorm, clipByValue, totalNorm } from '../optim/clip.js';
import type { ResolvedTrainerOptions } from './options.js';
import type { TrainerStateJson } from './state.js';

const ACCUM = 'trainer/accum/';

/**
 * The per-batch work of the Trainer, kept apart from the loop: gradients, clipping,
 * accumulation, the optimizer step, LR from the schedules, and loss sums kept on the device.
 * Every tensor it keeps between steps is owned here and released in `dispose`.
 */
export class StepRunner {
  readonly #module: TrainingModule;
  readonly #config: OptimizerConfig;
  readonly #o: ResolvedTrainerOptions;
  readonly #vars: tf.Variable[];
  #accum = new Map<string, tf.Tensor>();
  #accumulated = 0;
  #stepLoss: { sum: tf.Tensor; count: number } = { sum: tf.scalar(0), count: 0 };
  #epochLoss: { sum: tf.Tensor; count: number } = { sum: tf.scalar(0), count: 0 };
  #gradNorm: tf.Scalar | undefined;
  #final: Record<string, tf.Tensor> | undefined;

  constructor(module: TrainingModule, config: OptimizerConfig, options: ResolvedTrainerOptions) {
    this.#module = module;
    this.#config = config;
    this.#o = options;
    this.#vars = config.optimizer.groups.flatMap((g) => [...g.variables]);
    this.#applyScheduleLr();
  }

  /** One micro-batch: gradients added to the accumulators. True when `accumulateGradBatches` are in. */
  step(batch: Batch): boolean {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => this.#module.trainingStep(batch), this.#vars);
      const scale = 1 / this.#o.accumulateGradBatches;
      for (const [name, g] of Object.entries(grads)) {
        const prev = this.#accum.get(name);
        const next = prev ? tf.add(prev, tf.mul(g, scale)) : (scale === 1 ? g : tf.mul(g, scale));
        prev?.dispose();
        this.#accum.set(name, tf.keep(next));
      }
      return value;
    });
    this.#addLoss(loss, batch.size);
    this.#accumulated += 1;
    return this.#accumulated >= this.#o.accumulateGradBatches;
  }

  pendingAccumulation(): number {
    return this.#accumulated;
  }

  /**
   * The gradients the optimizer will apply: accumulated and clipped (and their pre-clip norm
   * recorded). Owned by the runner until `apply()`.
   */
  finalGrads(): Readonly<Record<string, tf.Tensor>> {
    if (!this.#final) {
      const grads = Object.fromEntries(this.#accum);
      this.#final = tf.tidy(() => {
        const clipped = this.#clip(grads);
        for (const t of Object.values(clipped)) tf.keep(t);
        return clipped;
      });
    }
    return this.#final;
  }

  /** Applies `finalGrads()` with the optimizer and clears the accumulators. */
  apply(): void {
    const grads = this.finalGrads();
    tf.tidy(() => this.#config.optimizer.applyGradients(grads));
    const owned = new Set([...Object.values(grads), ...this.#accum.values()]);
    tf.dispose([...owned]);
    this.#final = undefined;
    this.#accum.clear();
    this.#accumulated = 0;
  }

  /** Clips per the trainer options (torch's clip_grad_norm_ / clip_grad_value_) and records the pre-clip L2 norm. */
  #clip(grads: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    const limit = this.#o.gradientClipVal;
    this.#gradNorm?.dispose();
    this.#gradNorm = tf.keep(totalNorm(Object.values(grads), 2) as tf.Scalar);
    if (limit === undefined) return grads;
    return this.#o.gradientClipAlgorithm === 'value' ? clipByValue(grads, limit) : clipByGlobalNorm(grads, limit).grads;
  }

  #addLoss(loss: tf.Tensor, n: number) {
    for (const acc of [this.#stepLoss, this.#epochLoss]) {
      const next = tf.tidy(() => tf.add(acc.sum, tf.mul(loss, n)));
      acc.sum.dispose();
      acc.sum = next;
      acc.count += n;
    }
    loss.dispose();
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
    const [sum, norm] = await Promise.all([this.#stepLoss.sum.data(), this.#gradNorm?.data()]);
    const out: Record<string, number> = { train_loss_step: sum[0] / Math.max(1, this.#stepLoss.count), lr: this.#config.optimizer.getLr(0) };
    if (norm) out.grad_norm = norm[0];
    this.#stepLoss.sum.dispose();
    this.#stepLoss = { sum: tf.scalar(0), count: 0 };
    if (!Number.isFinite(out.train_loss_step)) throw nanError(out.train_loss_step);
    return out;
  }

  /** Mean training loss over the epoch so far, and the current LR. */
  async readEpochLogs(): Promise<Record<string, number>> {
    const { sum, count } = await this.epochLossState();
    const loss = sum / Math.max(1, count);
    if (!Number.isFinite(loss)) throw nanError(loss);
    return { loss, lr: this.#config.optimizer.getLr(0) };
  }

  async epochLossState(): Promise<{ sum: number; count: number }> {
    return { sum: (await this.#epochLoss.sum.data())[0], count: this.#epochLoss.count };
  }

  resetEpoch(): void {
    this.#epochLoss.sum.dispose();
    this.#epochLoss = { sum: tf.scalar(0), count: 0 };
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
    this.#epochLoss.sum.dispose();
    this.#epochLoss = { sum: tf.scalar(trainer.epochLoss.sum), count: trainer.epochLoss.count };
    this.#applyScheduleLr();
  }

  dispose(): void {
    tf.dispose([...this.#accum.values(), this.#stepLoss.sum, this.#epochLoss.sum]);
    this.#gradNorm?.dispose();
    this.#accum.clear();
  }
}

function nanError(value: number): KilnError {
  return new KilnError(CoreErrorCodes.TRAINER_NAN_LOSS,
    `The training loss became ${value}. Lower the learning rate, enable gradient clipping (gradientClipVal), or check the data for NaN/Inf.`,
    { details: { value } });
}
