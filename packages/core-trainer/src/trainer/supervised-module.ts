import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from '../contracts/dataset.js';
import type { Loss } from '../contracts/loss.js';
import type { Metric } from '../contracts/metric.js';
import type { FitInfo, OptimizerConfig, TrainingModule } from '../contracts/module.js';
import type { Optimizer, ParamGroup } from '../contracts/optimizer.js';
import type { LrSchedule, ScheduleContext } from '../contracts/schedule.js';
import { CoreErrorCodes, KilnError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { TrainBatchPreparer } from './batches.js';
import { type MixedBatch, type MixupOptions, checkMixupOptions, mixBatch } from './mixup.js';

/** A parameter group by layer name: variables of layers whose name matches `match` (first match wins). */
export interface ParamGroupSpec {
  readonly name: string;
  readonly match: RegExp | string;
  readonly lr?: number;
  readonly weightDecay?: number;
}

export interface SupervisedModuleOptions {
  readonly model: tfl.LayersModel;
  readonly loss: Loss;
  readonly metrics?: readonly Metric[];
  /** Base LR and weight decay of the default group (and of groups that set none). */
  readonly lr: number;
  readonly weightDecay?: number;
  /** Groups with their own LR / weight decay (e.g. backbone vs head); the rest form group 'default'. */
  readonly paramGroups?: readonly ParamGroupSpec[];
  readonly optimizer: (groups: readonly ParamGroup[]) => Optimizer;
  /** One schedule per group, made for that group's base LR. */
  readonly schedule?: (context: ScheduleContext) => LrSchedule;
  /** Metric read by epoch schedules such as reduce-on-plateau. */
  readonly monitor?: string;
  /**
   * Mixup / CutMix of training batches: λ ~ Beta(alpha, alpha) per batch, loss λ·L(y) + (1−λ)·L(y[perm])
   * (CutMix: λ = 1 − box area / image area). Segmentation masks: CutMix only, masks cut by the same box.
   */
  readonly mixup?: MixupOptions;
}

/**
 * The default TrainingModule for classification and segmentation: `model(x)` → `loss(y, ŷ)`,
 * metrics updated on validation batches, optional mixup/CutMix of training batches. Most users
 * never write their own module.
 * @example new SupervisedModule({ model, loss: new CrossEntropy(), lr: 1e-3, optimizer: (g) => new Adam(g), mixup: { alpha: 0.4, mode: 'both' } })
 */
export class SupervisedModule implements TrainingModule, TrainBatchPreparer {
  readonly model: tfl.LayersModel;
  readonly metrics: readonly Metric[];
  readonly #o: SupervisedModuleOptions;

  constructor(options: SupervisedModuleOptions) {
    this.model = options.model;
    this.metrics = options.metrics ?? [];
    if (options.mixup) checkMixupOptions(options.mixup);
    this.#o = options;
  }

  /** With the `mixup` option, mixes the whole batch (draws from `rng`, which the Trainer derives from the seed and batch position). */
  prepareTrainBatch(batch: Batch, rng: Rng): Batch {
    return this.#o.mixup ? mixBatch(batch, rng, this.#o.mixup) : batch;
  }

  /** The batch's loss; for a mixed batch with partner targets, λ·L(y) + (1−λ)·L(yB). */
  trainingStep(batch: Batch): tf.Scalar {
    const pred = this.model.apply(batch.x, { training: true }) as tf.Tensor;
    const mix = (batch as MixedBatch).mix;
    if (!mix?.yB) return this.#o.loss.compute(batch.y, pred) as tf.Scalar;
    return tf.add(tf.mul(this.#o.loss.compute(batch.y, pred), mix.lambda), tf.mul(this.#o.loss.compute(mix.yB, pred), 1 - mix.lambda)) as tf.Scalar;
  }

  validationStep(batch: Batch): tf.Scalar {
    const pred = this.model.apply(batch.x, { training: false }) as tf.Tensor;
    for (const m of this.metrics) m.update(batch.y, pred);
    return this.#o.loss.compute(batch.y, pred) as tf.Scalar;
  }

  predictStep(batch: Batch): tf.Tensor {
    return this.model.apply(batch.x, { training: false }) as tf.Tensor;
  }

  configureOptimizers(info: FitInfo): OptimizerConfig {
    const groups = paramGroups(this.model, this.#o);
    const optimizer = this.#o.optimizer(groups);
    const schedules = this.#o.schedule
      ? groups.map((g) => this.#o.schedule!({ baseLr: g.lr, stepsPerEpoch: info.stepsPerEpoch, maxEpochs: info.maxEpochs, totalSteps: info.totalSteps }))
      : undefined;
    return { optimizer, schedules, monitor: this.#o.monitor };
  }
}

/** Splits the model's trainable variables into groups by layer name; unmatched ones form 'default'. */
export function paramGroups(model: tfl.LayersModel, o: Pick<SupervisedModuleOptions, 'lr' | 'weightDecay' | 'paramGroups'>): ParamGroup[] {
  const specs = o.paramGroups ?? [];
  const buckets = specs.map(() => [] as tf.Variable[]);
  const rest: tf.Variable[] = [];
  for (const layer of model.layers) {
    if (!layer.trainable) continue;
    const i = specs.findIndex((s) => (typeof s.match === 'string' ? new RegExp(s.match) : s.match).test(layer.name));
    for (const w of layer.trainableWeights) (i >= 0 ? buckets[i] : rest).push(w.read() as tf.Variable);
  }
  const groups: ParamGroup[] = specs.map((s, i) => ({ name: s.name, variables: buckets[i], lr: s.lr ?? o.lr, weightDecay: s.weightDecay ?? o.weightDecay }));
  const empty = groups.find((g) => g.variables.length === 0);
  if (empty) {
    throw new KilnError(CoreErrorCodes.TRAINER_INVALID_OPTION,
      `Parameter group '${empty.name}' matches no trainable layer. Layer names: ${model.layers.slice(0, 12).map((l) => l.name).join(', ')}${model.layers.length > 12 ? ', …' : ''}.`);
  }
  if (rest.length) groups.push({ name: 'default', variables: rest, lr: o.lr, weightDecay: o.weightDecay });
  return groups;
}
