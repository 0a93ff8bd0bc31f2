import * as tf from '@tensorflow/tfjs-core';
import type { Batch, BatchSource } from '../contracts/dataset.js';
import type { Callback, HookContext, LoopState } from '../contracts/callback.js';
import type { Logger } from '../contracts/logger.js';
import type { OptimizerConfig, TrainingModule } from '../contracts/module.js';
import type { OptimizerState } from '../contracts/optimizer.js';
import { CoreErrorCodes, KilnError } from '../errors.js';
import { Rng } from '../rng.js';
import { installSeededRandom } from '../seeded-random.js';
import { CallbackDispatcher } from './callback-dispatcher.js';
import { type ResolvedTrainerOptions, type TrainerOptions, limitBatches, trainerOptionsSchema } from './options.js';
import type { CheckpointWriter, FitResult, StopReason, TrainerSnapshot, TrainerStateJson } from './state.js';
import { StepRunner } from './step-runner.js';

export interface TrainerDeps {
  readonly callbacks?: readonly Callback[];
  readonly loggers?: readonly Logger[];
  readonly runDir?: string;
  /** Needed for `ctx.saveCheckpoint`; the CLI passes the checkpoint module's writer. */
  readonly checkpointWriter?: CheckpointWriter;
  /** Where callback warnings go (default: `process.emitWarning`). */
  readonly warn?: (message: string) => void;
}

/** A checkpoint to continue from (as read back by the checkpoint module). */
export interface ResumeState {
  readonly trainerState: TrainerStateJson;
  readonly optimizerState: OptimizerState;
}

/**
 * Kiln's training loop on tfjs-core (ARCHITECTURE §5): per batch `trainingStep` under
 * `tf.variableGrads`, clipping, accumulation, `applyGradients`, schedules, callbacks, loggers.
 * Contracts: tensors are flat from step to step; values are read back only every
 * `logEveryNSteps` and at epoch end; `stop(reason)` (also from callbacks) ends training at the
 * next batch boundary.
 * @example const result = await new Trainer({ maxEpochs: 5 }, { callbacks }).fit(module, trainLoader, valLoader);
 */
export class Trainer {
  readonly options: ResolvedTrainerOptions;
  readonly #deps: TrainerDeps;
  readonly #dispatcher: CallbackDispatcher;
  #state: LoopState = { epoch: 0, globalStep: 0, batchInEpoch: 0 };
  #stopReason: StopReason | undefined;
  #stopMessage: string | undefined;
  #rng = new Rng(0);

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
    const devRun = o.fastDevRun === true ? 1 : o.fastDevRun || 0;
    const batchesPerEpoch = devRun || o.overfitBatches || limitBatches(train.numBatches, o.limitTrainBatches);
    if (train.numBatches === 0 || batchesPerEpoch === 0) {
      throw new KilnError(CoreErrorCodes.TRAINER_EMPTY_DATA, 'The training data has no batches: check the dataset path and that batchSize ≤ the number of samples (or set dropLast: false).');
    }
    const valBatches = val ? (devRun || o.overfitBatches || limitBatches(val.numBatches, o.limitValBatches)) : 0;
    const maxEpochs = devRun ? 1 : o.maxEpochs;
    const stepsPerEpoch = Math.ceil(batchesPerEpoch / o.accumulateGradBatches);
    const config = module.configureOptimizers({ stepsPerEpoch, maxEpochs, totalSteps: o.maxSteps > 0 ? o.maxSteps : stepsPerEpoch * maxEpochs });
    const runner = new StepRunner(module, config, o);
    const start = performance.now();
    let logs: Record<string, number> = {};
    this.#stopReason = undefined;
    this.#stopMessage = undefined;

    // Dropout and other unseeded tfjs randomness draw from Math.random: seed it, and checkpoint its state.
    this.#rng = new Rng(o.seed).fork('trainer');
    if (resume) this.#restore(resume, runner, config);
    const restoreRandom = installSeededRandom(this.#rng);
    const totals = { maxEpochs, batchesPerEpoch, totalSteps: o.maxSteps > 0 ? o.maxSteps : stepsPerEpoch * maxEpochs };
    const self = this;
    const ctx = (extra: Partial<HookContext> = {}): HookContext => ({
      state: { ...this.#state, ...totals }, logs, module, runDir: this.#deps.runDir, optimizer: config.optimizer,
      hookTimings: this.#dispatcher.timings,
      get stopReason() { return self.#stopReason; },
      get stopMessage() { return self.#stopMessage; },
      stop: (r: string, message?: string) => this.stop(r, message),
      log: (values) => this.#logMetrics(this.#state.globalStep, values),
      warn: this.#deps.warn ?? ((m: string) => process.emitWarning(m, 'KilnWarning')),
      saveCheckpoint: (dir: string) => this.#save(dir, module, runner, config), ...extra,
    });

    try {
      await this.#dispatcher.call('onTrainBegin', ctx());
      if (val && !resume && !devRun && o.numSanityValSteps > 0) await this.#validate(module, val, Math.min(o.numSanityValSteps, valBatches), ctx, false);
      for (let epoch = this.#state.epoch; epoch < maxEpochs && !this.#stopReason; epoch++) {
        this.#state = { ...this.#state, epoch };
        const epochStart = performance.now();
        await this.#dispatcher.call('onEpochBegin', ctx());
        const source = o.overfitBatches ? 0 : epoch; // overfitting: always the same first batches
        for await (const batch of iterate(train, source, this.#state.batchInEpoch, batchesPerEpoch)) {
          await this.#dispatcher.call('onBatchBegin', ctx({ batch }));
          const ready = runner.step(batch);
          const completed = this.#state.batchInEpoch + 1;
          // A partial accumulation is applied at the end of the epoch, as Lightning does.
          const applied = ready || (completed === batchesPerEpoch && runner.pendingAccumulation() > 0);
          if (applied) {
            if (this.#dispatcher.has('onBeforeOptimizerStep')) await this.#dispatcher.call('onBeforeOptimizerStep', ctx({ batch, grads: runner.finalGrads() }));
            runner.apply();
          }
          this.#state = { ...this.#state, epoch, globalStep: this.#state.globalStep + (applied ? 1 : 0), batchInEpoch: completed };
          if (applied) runner.stepSchedules('step');
          let stepLogs: Record<string, number> = {};
          if (applied && this.#state.globalStep % o.logEveryNSteps === 0) {
            stepLogs = await runner.readStepLogs();
            await this.#logMetrics(this.#state.globalStep, stepLogs);
          }
          await this.#dispatcher.call('onBatchEnd', ctx({ batch, logs: stepLogs }));
          batch.x.dispose();
          batch.y.dispose();
          if (o.maxSteps > 0 && this.#state.globalStep >= o.maxSteps) this.stop('max_steps');
          if (o.maxTime !== undefined && (performance.now() - start) / 1000 >= o.maxTime) this.stop('max_time');
          if (this.#stopReason) break;
        }
        if (this.#state.batchInEpoch < batchesPerEpoch) break; // stopped mid-epoch: no epoch-end
        logs = { epoch, ...(await runner.readEpochLogs()) };
        if (val && (epoch + 1) % o.checkValEveryNEpochs === 0) Object.assign(logs, await this.#validate(module, val, valBatches, ctx, true));
        runner.stepSchedules('epoch', config.monitor ? logs[config.monitor] : undefined);
        logs.epoch_time_s = (performance.now() - epochStart) / 1000;
        this.#state = { epoch: epoch + 1, globalStep: this.#state.globalStep, batchInEpoch: 0 };
        runner.resetEpoch();
        await this.#logMetrics(this.#state.globalStep, logs);
        await this.#dispatcher.call('onEpochEnd', ctx({ state: { ...this.#state, ...totals, epoch } }));
        if (o.maxSteps > 0 && this.#state.globalStep >= o.maxSteps) this.stop('max_steps');
      }
      this.#stopReason ??= 'completed';
      await this.#dispatcher.call('onTrainEnd', ctx());
      return { stopReason: this.#stopReason, epochsCompleted: this.#state.epoch, globalStep: this.#state.globalStep, logs, durationMs: performance.now() - start };
    } catch (error) {
      await this.#dispatcher.call('onException', ctx({ error }));
      throw error;
    } finally {
      restoreRandom();
      runner.dispose();
    }
  }

  /** Runs validation over `source` and returns `val_loss` and `val_<metric>` values. */
  async validate(module: TrainingModule, source: BatchSource, limit?: number): Promise<Record<string, number>> {
    const noop = (): HookContext => ({ state: this.#state, logs: {}, module, stop: () => {}, saveCheckpoint: async () => {} });
    return this.#validate(module, source, limitBatches(source.numBatches, limit), noop, false);
  }

  /** Predictions of `module.predictStep` for every batch of `source`, concatenated along the batch axis. */
  async predict(module: TrainingModule, source: BatchSource): Promise<tf.Tensor> {
    const parts: tf.Tensor[] = [];
    for await (const batch of iterate(source, 0, 0, source.numBatches)) {
      parts.push(tf.tidy(() => module.predictStep(batch)));
      batch.x.dispose();
      batch.y.dispose();
    }
    const out = tf.concat(parts, 0);
    tf.dispose(parts);
    return out;
  }

  async #validate(module: TrainingModule, source: BatchSource, limit: number, ctx: (e?: Partial<HookContext>) => HookContext, hooks: boolean) {
    if (hooks) await this.#dispatcher.call('onValidationBegin', ctx());
    for (const m of module.metrics) m.reset();
    let lossSum: tf.Tensor = tf.scalar(0);
    let count = 0;
    for await (const batch of iterate(source, 0, 0, limit)) {
      const next = tf.tidy(() => tf.add(lossSum, tf.mul(module.validationStep(batch), batch.size)));
      lossSum.dispose();
      lossSum = next;
      count += batch.size;
      batch.x.dispose();
      batch.y.dispose();
    }
    const out: Record<string, number> = { val_loss: (await lossSum.data())[0] / Math.max(1, count) };
    lossSum.dispose();
    for (const m of module.metrics) {
      const v = await m.compute();
      if (typeof v === 'number') out[`val_${m.name}`] = v;
      else for (const [k, x] of Object.entries(v)) out[`val_${m.name}/${k}`] = x;
    }
    if (hooks) await this.#dispatcher.call('onValidationEnd', ctx({ logs: out }));
    return out;
  }

  async #logMetrics(step: number, values: Record<string, number>) {
    for (const l of this.#deps.loggers ?? []) await l.logMetrics(step, values);
  }

  async #save(dir: string, module: TrainingModule, runner: StepRunner, config: OptimizerConfig) {
    if (!this.#deps.checkpointWriter) {
      throw new KilnError(CoreErrorCodes.TRAINER_INVALID_OPTION, 'saveCheckpoint needs a checkpointWriter: construct the Trainer with { checkpointWriter }.');
    }
    const optimizerState = runner.stateDict();
    const snapshot: TrainerSnapshot = {
      model: module.model,
      optimizerState,
      trainerState: {
        version: 1, ...this.#state, rng: this.#rng.state(), accumulated: runner.pendingAccumulation(), epochLoss: await runner.epochLossState(),
        schedules: (config.schedules ?? []).map((s) => s.stateDict()), callbacks: this.#dispatcher.stateDict(),
        options: { ...this.options },
      },
    };
    try {
      await this.#deps.checkpointWriter(dir, snapshot);
    } finally {
      tf.dispose(Object.values(optimizerState.tensors));
    }
  }

  #restore(resume: ResumeState, runner: StepRunner, config: OptimizerConfig) {
    const s = resume.trainerState;
    s.schedules.forEach((st, i) => config.schedules?.[i]?.loadStateDict(st));
    runner.loadStateDict(resume.optimizerState, s);
    this.#dispatcher.loadStateDict(s.callbacks);
    this.#state = { epoch: s.epoch, globalStep: s.globalStep, batchInEpoch: s.batchInEpoch };
    if (s.rng) this.#rng.setState(s.rng);
  }
}

async function* iterate(source: BatchSource, epoch: number, startBatch: number, limit: number): AsyncGenerator<Batch> {
  if (startBatch >= limit) return;
  let i = startBatch;
  for await (const batch of source.epoch(epoch, startBatch)) {
    yield batch;
    if (++i >= limit) return;
  }
}
