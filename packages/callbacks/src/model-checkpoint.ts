import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Callback, type HookContext, KilnError } from '@kiln/core-trainer';
import { CallbackErrorCodes } from './errors.js';
import { firstNonFiniteWeight, nonFiniteKeys, unhealthyReason } from './internal/health.js';
import { FilenameTemplate } from './internal/template.js';
import { type WarnFn, defaultWarn } from './internal/warn.js';
import { Monitor, type MonitorMode } from './monitor.js';

export interface ModelCheckpointOptions {
  /** Directory for checkpoints (default `<runDir>/checkpoints`). */
  readonly dirpath?: string;
  /** Directory-name template, e.g. `{epoch:03d}-{val_loss:.3f}` (default `{epoch}-{step}`); `epoch` is 1-based, `step` the global step. */
  readonly filename?: string;
  /** Write `epoch=003-val_loss=0.412` rather than `003-0.412` (Lightning's auto_insert_metric_name; default true). */
  readonly autoInsertMetricName?: boolean;
  /** Rank checkpoints by this logged key; without it the most recent `saveTopK` are kept. */
  readonly monitor?: string;
  readonly mode?: MonitorMode | 'auto';
  /** Keep the best k (default 1); -1 keeps all, 0 none (only `last`). */
  readonly saveTopK?: number;
  /** Also write `<dirpath>/last` at every save point (default false). */
  readonly saveLast?: boolean;
  /** Save point every N epochs (default 1; 0 when `everyNSteps` is set). */
  readonly everyNEpochs?: number;
  /** Save point every N optimizer steps (at batch end). */
  readonly everyNSteps?: number;
  /** Write `<dirpath>/on-exception` when training throws, unless the weights are not finite. */
  readonly saveOnException?: boolean;
  /** Key of this callback's state in checkpoints (default `model-checkpoint:<monitor|latest>`). */
  readonly stateKey?: string;
  readonly warn?: WarnFn;
}

interface Kept { id: string; score?: number; epoch: number; step: number }
interface State { kept: Kept[]; lastId?: string; lastSaveStep: number }

/**
 * Saves full checkpoints (model, optimizer, trainer state, via `ctx.saveCheckpoint`) at save
 * points — every N epochs (after validation) or every N steps — keeping the best `saveTopK` by
 * `monitor` (Lightning semantics: a new one is kept if fewer than k are kept or it is strictly
 * better than the worst kept, which is then deleted after the new one is on disk), plus `last`.
 * It never saves a model NaNGuard marked broken or with a non-finite loss, and never ranks a
 * non-finite monitor value (Lightning ranks it as the worst). Order 100: runs after other
 * callbacks. Its state (kept checkpoints, scores) is saved, so a resumed run keeps ranking.
 * @example new ModelCheckpoint({ monitor: 'val_dice', mode: 'max', filename: '{epoch:03d}-{val_dice:.3f}', saveTopK: 2, saveLast: true })
 */
export class ModelCheckpoint implements Callback {
  readonly name = 'model-checkpoint';
  readonly order = 100;
  readonly stateKey: string;
  readonly monitor?: Monitor;
  readonly template: FilenameTemplate;
  #dir?: string;
  #s: State = { kept: [], lastSaveStep: -1 };
  #known: Record<string, number> = {};
  #warnedUnhealthy = false;
  readonly #o: ModelCheckpointOptions;
  readonly #topK: number;
  readonly #everyEpochs: number;
  readonly #warn: WarnFn;

  constructor(options: ModelCheckpointOptions = {}) {
    this.#o = options;
    this.monitor = options.monitor ? new Monitor({ metric: options.monitor, mode: options.mode }) : undefined;
    this.template = new FilenameTemplate(options.filename ?? '{epoch}-{step}', options.autoInsertMetricName ?? true);
    this.#topK = options.saveTopK ?? 1;
    this.#everyEpochs = options.everyNEpochs ?? (options.everyNSteps ? 0 : 1);
    for (const [k, v] of [['saveTopK', this.#topK + 1], ['everyNEpochs', this.#everyEpochs], ['everyNSteps', options.everyNSteps ?? 0]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new KilnError(CallbackErrorCodes.OPTIONS_INVALID, `ModelCheckpoint ${k} must be an integer ≥ ${k === 'saveTopK' ? -1 : 0} (got ${options[k]}).`);
    }
    this.stateKey = options.stateKey ?? `model-checkpoint:${options.monitor ?? 'latest'}`;
    this.#warn = options.warn ?? defaultWarn;
    if (options.dirpath) this.#dir = resolve(options.dirpath);
  }

  /** Where checkpoints go (known once training began). */
  get dirpath(): string | undefined { return this.#dir; }
  /** Kept checkpoints (best first when monitoring, else newest first) as absolute paths with scores. */
  get kept(): { path: string; score?: number; epoch: number; step: number }[] {
    const order = this.monitor ? [...this.#s.kept].sort((a, b) => (this.monitor!.isBetter(a.score!, b.score!) ? -1 : 1)) : [...this.#s.kept].reverse();
    return order.map((k) => ({ ...k, path: join(this.#dir ?? '', k.id) }));
  }
  get bestModelPath(): string | undefined { return this.kept[0]?.path; }
  get bestModelScore(): number | undefined { return this.kept[0]?.score; }
  get lastModelPath(): string | undefined { return this.#s.lastId && this.#dir ? join(this.#dir, this.#s.lastId) : undefined; }

  onTrainBegin(ctx: HookContext): void {
    if (this.#dir) return;
    if (!ctx.runDir) throw new KilnError(CallbackErrorCodes.OPTIONS_INVALID, 'ModelCheckpoint has no dirpath and the run has no run directory: set dirpath.');
    this.#dir = join(ctx.runDir, 'checkpoints');
  }

  async onBatchEnd(ctx: HookContext): Promise<void> {
    Object.assign(this.#known, ctx.logs);
    const n = this.#o.everyNSteps ?? 0;
    const step = ctx.state.globalStep;
    if (n > 0 && step > 0 && step % n === 0 && step !== this.#s.lastSaveStep) await this.#savePoint(ctx, this.#known);
  }

  async onEpochEnd(ctx: HookContext): Promise<void> {
    Object.assign(this.#known, ctx.logs);
    this.monitor?.checkLogged(ctx.logs, 'ModelCheckpoint', this.#warn);
    const n = this.#everyEpochs;
    if (n > 0 && (ctx.state.epoch + 1) % n === 0) await this.#savePoint(ctx, ctx.logs);
  }

  onTrainEnd(): void {
    this.monitor?.checkAtEnd('ModelCheckpoint', this.#warn);
  }

  async onException(ctx: HookContext): Promise<void> {
    if (!this.#o.saveOnException || !this.#dir) return;
    const broken = unhealthyReason(ctx.module.model) ?? firstNonFiniteWeight(ctx.module.model);
    if (broken) {
      this.#warn(`ModelCheckpoint did not save on the exception: the model is not finite (${broken}); the last good checkpoint is kept.`);
      return;
    }
    await ctx.saveCheckpoint(join(this.#dir, 'on-exception'));
  }

  /** A save point: top-k (or latest-k) checkpoint and `last`. `values` are the metrics to rank and name by. */
  async #savePoint(ctx: HookContext, values: Readonly<Record<string, number>>): Promise<void> {
    const broken = unhealthyReason(ctx.module.model) ?? (nonFiniteKeys(values).includes('loss') ? 'loss is not finite' : undefined);
    if (broken) {
      if (!this.#warnedUnhealthy) this.#warn(`ModelCheckpoint skipped saving at step ${ctx.state.globalStep}: ${broken}. The last good checkpoint is kept.`);
      this.#warnedUnhealthy = true;
      return;
    }
    const dir = this.#dir!;
    const s = this.#s;
    s.lastSaveStep = ctx.state.globalStep;
    const epoch = ctx.state.epoch + 1;
    const names = { ...values, epoch, step: ctx.state.globalStep };
    let evicted: Kept[] = [];
    if (this.#topK !== 0) {
      const score = this.monitor?.read(values);
      const candidate = !this.monitor || (score !== undefined && Number.isFinite(score));
      const worst = this.monitor && s.kept.length ? s.kept.reduce((w, k) => (this.monitor!.isBetter(w.score!, k.score!) ? k : w)) : undefined;
      const keep = candidate && (this.#topK < 0 || !this.monitor || s.kept.length < this.#topK || this.monitor.isBetter(score!, worst!.score!));
      if (keep) {
        const entry: Kept = { id: this.template.format(names), epoch, step: ctx.state.globalStep, ...(score !== undefined ? { score } : {}) };
        const kept = [...s.kept.filter((k) => k.id !== entry.id), entry];
        if (this.#topK > 0 && kept.length > this.#topK) {
          const out = this.monitor ? worst! : kept[0];
          evicted = [out];
          s.kept = kept.filter((k) => k !== out);
        } else s.kept = kept;
        await ctx.saveCheckpoint(join(dir, entry.id));
      }
    }
    if (this.#o.saveLast) {
      s.lastId = 'last';
      await ctx.saveCheckpoint(join(dir, 'last'));
    }
    for (const e of evicted) if (!s.kept.some((k) => k.id === e.id) && e.id !== s.lastId) await rm(join(dir, e.id), { recursive: true, force: true });
  }

  stateDict(): State {
    return { kept: this.#s.kept.map((k) => ({ ...k })), lastId: this.#s.lastId, lastSaveStep: this.#s.lastSaveStep };
  }

  loadStateDict(state: unknown): void {
    const s = state as Partial<State> | undefined;
    if (!Array.isArray(s?.kept) || !s.kept.every((k) => typeof k?.id === 'string' && typeof k.step === 'number')) {
      throw new KilnError(CallbackErrorCodes.STATE_INVALID, 'ModelCheckpoint state in the checkpoint is not { kept: [{ id, step, score? }] }: resume with the same callbacks.');
    }
    this.#s = { kept: s.kept.map((k) => ({ ...k })), lastId: s.lastId, lastSaveStep: s.lastSaveStep ?? -1 };
  }
}
