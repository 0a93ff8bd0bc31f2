import type * as tf from '@tensorflow/tfjs-core';
import type { BatchSource } from '../contracts/dataset.js';
import type { Callback, LoopState } from '../contracts/callback.js';
import type { Logger } from '../contracts/logger.js';
import type { TrainingModule } from '../contracts/module.js';
import { stepCompilerFor } from '../backend/step-compiler.js';
import { CoreErrorCodes, KilnError } from '../errors.js';
import { Rng } from '../rng.js';
import { installSeededRandom } from '../seeded-random.js';
import { iterate } from './batches.js';
import { CallbackDispatcher } from './callback-dispatcher.js';
import { type ContextFactory, hookContexts } from './hook-context.js';
import { logModelSummary, logWeightHistograms } from './logger-extras.js';
import { type ResolvedTrainerOptions, type TrainerOptions, limitBatches, trainerOptionsSchema } from './options.js';
import { type FitPlan, planFit } from './plan.js';
import { type FitParts, type ResumeState, restoreSnapshot, saveSnapshot } from './snapshot.js';
import type { CheckpointWriter, FitResult, StopReason } from './state.js';
import { StepRunner } from './step-runner.js';
import { predictAll, runValidation } from './validation.js';

export type { ResumeState } from './snapshot.js';

export interface TrainerDeps {
  readonly callbacks?: readonly Callback[];
  readonly loggers?: readonly Logger[];
  readonly runDir?: string;
  /** Needed for `ctx.saveCheckpoint`; the CLI passes the checkpoint module's writer. */
  readonly checkpointWriter?: CheckpointWriter;
  /** Where warnings go — callbacks' `ctx.warn` and the trainer's own, e.g. an OOM back-off (default: `process.emitWarning`). */
  readonly warn?: (message: string) => void;
}

/**
 * Kiln's training loop on tfjs-core (ARCHITECTURE §5): per batch the module's batch preparation
 * (mixup), `trainingStep` under `tf.variableGrads` (in micro-batches after an out-of-memory
 * back-off), clipping, accumulation, `applyGradients`, schedules, validation (mid-epoch with
 * `valCheckInterval`, and at epoch end), callbacks, loggers. Contracts: tensors are flat from step
 * to step; values are read back only every `logEveryNSteps`, at validations and at epoch end;
 * `stop(reason)` (also from callbacks) ends training at the next batch boundary; a fit resumed
 * from a checkpoint continues exactly (randomness derives from the seed and the batch position,
 * or from checkpointed RNG state).
 * @example const result = await new Trainer({ maxEpochs: 5 }, { callbacks }).fit(module, trainLoader, valLoader);
 */
export class Trainer {
  readonly options: ResolvedTrainerOptions;
  readonly #deps: TrainerDeps;
  readonly #dispatcher: CallbackDispatcher;
  #state: LoopState = { epoch: 0, globalStep: 0, batchInEpoch: 0 };
  #stopReason: StopReason | undefined;
  #stopMessage: string | undefined;

  constructor(options: TrainerOptions = {}, deps: TrainerDeps = {}) {
    const parsed = trainerOptionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new KilnError(CoreErrorCodes.TRAINER_INVALID_OPTION,
        `Trainer option '${issue.path.join('.') || (issue as { keys?: string[] }).keys?.join(', ')}': ${issue.message}.`, { details: { issues: parsed.error.issues } });
    }
    this.options = parsed.data;
    this.#deps = deps;
    this.#dispatcher = new CallbackDispatcher(deps.callbacks ?? []);
  }

  get state(): LoopState {
    return this.#state;
  }

  /** Hook timings per `callback.hook` (ms), for profiling. */
  get hookTimings() {
    return this.#dispatcher.timings;
  }

  /** Ask training to stop at the next batch boundary; the first reason wins. */
  stop(reason: StopReason, message?: string): void {
    if (this.#stopReason) return;
    this.#stopReason = reason;
    this.#stopMessage = message;
  }

  /** The message given with the first stop request, if any. */
  get stopMessage(): string | undefined {
    return this.#stopMessage;
  }

  async fit(module: TrainingModule, train: BatchSource, val?: BatchSource, resume?: ResumeState): Promise<FitResult> {
    const o = this.options;
    const plan = planFit(o, train, val);
    const config = module.configureOptimizers({ stepsPerEpoch: plan.stepsPerEpoch, maxEpochs: plan.maxEpochs, totalSteps: plan.totalSteps });
    const warn = this.#deps.warn ?? ((m: string) => process.emitWarning(m, 'KilnWarning'));
    const loggers = this.#deps.loggers ?? [];
    // Dropout and other unseeded tfjs randomness draw from Math.random: seed it, and checkpoint its state.
    const parts: FitParts = { module, config, options: o, dispatcher: this.#dispatcher, runner: new StepRunner(module, config, o, warn), rng: new Rng(o.seed).fork('trainer'), compiler: this.#compiler() };
    const start = performance.now();
    let logs: Record<string, number> = {};
    this.#stopReason = undefined;
    this.#stopMessage = undefined;
    if (resume) this.#state = restoreSnapshot(resume, parts);
    const restoreRandom = installSeededRandom(parts.rng);
    const ctx = hookContexts({
      module, optimizer: config.optimizer, runDir: this.#deps.runDir, timings: this.#dispatcher.timings,
      totals: { maxEpochs: plan.maxEpochs, batchesPerEpoch: plan.batchesPerEpoch, totalSteps: plan.totalSteps },
      state: () => this.#state, logs: () => logs, stopReason: () => this.#stopReason, stopMessage: () => this.#stopMessage,
      stop: (r, m) => this.stop(r, m), log: (values) => this.#log(this.#state.globalStep, values), warn,
      saveCheckpoint: (dir) => saveSnapshot(this.#deps.checkpointWriter, dir, parts, this.#state),
    });

    try {
      if (!resume) await logModelSummary(module.model, loggers);
      await this.#dispatcher.call('onTrainBegin', ctx());
      if (val && !resume && !plan.devRun && o.numSanityValSteps > 0) await runValidation(module, val, Math.min(o.numSanityValSteps, plan.valBatches), parts.compiler);
      for (let epoch = this.#state.epoch; epoch < plan.maxEpochs && !this.#stopReason; epoch++) {
        this.#state = { ...this.#state, epoch };
        const epochStart = performance.now();
        const valEpoch = val !== undefined && (epoch + 1) % o.checkValEveryNEpochs === 0;
        await this.#dispatcher.call('onEpochBegin', ctx());
        await this.#trainEpoch(parts, train, plan, ctx, valEpoch ? val : undefined, start);
        if (this.#state.batchInEpoch < plan.batchesPerEpoch) break; // stopped mid-epoch: no epoch-end
        logs = { epoch, ...(await parts.runner.readEpochLogs()) };
        if (valEpoch) Object.assign(logs, await this.#validate(module, val, plan.valBatches, ctx));
        parts.runner.stepSchedules('epoch', config.monitor ? logs[config.monitor] : undefined);
        logs.epoch_time_s = (performance.now() - epochStart) / 1000;
        this.#state = { epoch: epoch + 1, globalStep: this.#state.globalStep, batchInEpoch: 0 };
        parts.runner.resetEpoch();
        await this.#log(this.#state.globalStep, logs);
        if (o.histogramEveryNEpochs > 0 && (epoch + 1) % o.histogramEveryNEpochs === 0) await logWeightHistograms(module.model, loggers, this.#state.globalStep);
        await this.#dispatcher.call('onEpochEnd', ctx({ state: { ...ctx().state, epoch } }));
        if (o.maxSteps > 0 && this.#state.globalStep >= o.maxSteps) this.stop('max_steps');
      }
      this.#stopReason ??= 'completed';
      await this.#dispatcher.call('onTrainEnd', ctx());
      const { microBatchSize } = parts.runner;
      return { stopReason: this.#stopReason, epochsCompleted: this.#state.epoch, globalStep: this.#state.globalStep, logs, durationMs: performance.now() - start, ...(microBatchSize ? { microBatchSize } : {}) };
    } catch (error) {
      await this.#dispatcher.call('onException', ctx({ error }));
      throw error;
    } finally {
      restoreRandom();
      parts.runner.dispose();
      config.optimizer.dispose(); // slot variables: each fit configures its own optimizer
    }
  }

  /** The batches of one epoch from `this.#state.batchInEpoch` on; mid-epoch validation on `val` every `plan.valEvery` batches. */
  async #trainEpoch(parts: FitParts, train: BatchSource, plan: FitPlan, ctx: ContextFactory, val: BatchSource | undefined, start: number) {
    const { runner, module } = parts;
    const o = this.options;
    const { epoch } = this.#state;
    const source = o.overfitBatches ? 0 : epoch; // overfitting: always the same first batches
    for await (const batch of iterate(train, source, this.#state.batchInEpoch, plan.batchesPerEpoch)) {
      try {
        await this.#dispatcher.call('onBatchBegin', ctx({ batch }));
        // Mixup and other per-batch draws: a function of (seed, epoch, batch), so resume needs no extra state.
        const completed = this.#state.batchInEpoch + 1;
        const logged = (this.#state.globalStep + 1) % o.logEveryNSteps === 0; // only logged steps need the gradient norm
        const hooked = this.#dispatcher.has('onBeforeOptimizerStep');
        let applied = false;
        // Gradients and the optimizer step: one compiled step where the backend has a compiler
        // (not after an out-of-memory back-off, whose retries need eager allocation failures).
        const work = () => {
          const ready = runner.step(batch, () => new Rng(o.seed).fork(`train-batch/${epoch}/${this.#state.batchInEpoch}`));
          // A partial accumulation is applied at the end of the epoch, as Lightning does.
          applied = ready || (completed === plan.batchesPerEpoch && runner.pendingAccumulation() > 0);
          if (applied && !hooked) runner.apply(logged);
        };
        if (parts.compiler && runner.microBatchSize === undefined) parts.compiler.run(work);
        else work();
        if (applied && hooked) {
          await this.#dispatcher.call('onBeforeOptimizerStep', ctx({ batch, grads: runner.finalGrads(logged) }));
          runner.apply(logged);
        }
        this.#state = { epoch, globalStep: this.#state.globalStep + (applied ? 1 : 0), batchInEpoch: completed };
        if (applied) runner.stepSchedules('step');
        const stepLogs: Record<string, number> = applied && this.#state.globalStep % o.logEveryNSteps === 0 ? await runner.readStepLogs() : {};
        // Mid-epoch validation runs before onBatchEnd, so a checkpoint taken there already includes it.
        if (val && plan.valEvery > 0 && completed % plan.valEvery === 0 && completed < plan.batchesPerEpoch) {
          Object.assign(stepLogs, await this.#validate(module, val, plan.valBatches, ctx));
        }
        if (Object.keys(stepLogs).length) await this.#log(this.#state.globalStep, stepLogs);
        await this.#dispatcher.call('onBatchEnd', ctx({ batch, logs: stepLogs }));
      } finally {
        batch.x.dispose();
        batch.y.dispose();
      }
      if (o.maxSteps > 0 && this.#state.globalStep >= o.maxSteps) this.stop('max_steps');
      if (o.maxTime !== undefined && (performance.now() - start) / 1000 >= o.maxTime) this.stop('max_time');
      if (this.#stopReason) break;
    }
  }

  /** The active backend's step compiler when the `compile` option is on. */
  #compiler() {
    return this.options.compile ? stepCompilerFor() : undefined;
  }

  /** Runs validation over `source` and returns `val_loss` and `val_<metric>` values (no hooks, no loggers). */
  async validate(module: TrainingModule, source: BatchSource, limit?: number): Promise<Record<string, number>> {
    return runValidation(module, source, limitBatches(source.numBatches, limit), this.#compiler());
  }

  /** Predictions of `module.predictStep` for every batch of `source`, concatenated along the batch axis. */
  predict(module: TrainingModule, source: BatchSource): Promise<tf.Tensor> {
    return predictAll(module, source, this.#compiler());
  }

  /** A validation pass between onValidationBegin and onValidationEnd (which sees the `val_*` values). */
  async #validate(module: TrainingModule, source: BatchSource, limit: number, ctx: ContextFactory): Promise<Record<string, number>> {
    await this.#dispatcher.call('onValidationBegin', ctx());
    const out = await runValidation(module, source, limit, this.#compiler());
    await this.#dispatcher.call('onValidationEnd', ctx({ logs: out }));
    return out;
  }

  async #log(step: number, values: Readonly<Record<string, number>>) {
    for (const l of this.#deps.loggers ?? []) await l.logMetrics(step, values);
  }
}
