import type { ZodType } from 'zod';
import type { Callback } from './callback.js';
import type { Dataset } from './dataset.js';
import type { Optimizer, ParamGroup } from './optimizer.js';

/** Builds a callback from validated options; `runDir` is where it may write files. */
export interface CallbackFactory<O = Record<string, unknown>> {
  readonly schema: ZodType<O>;
  readonly description?: string;
  create(options: O, context: { readonly runDir?: string }): Callback;
}

/** Builds an optimizer over parameter groups (each with its own LR and weight decay). */
export interface OptimizerFactory<O = Record<string, unknown>> {
  readonly schema: ZodType<O>;
  readonly description?: string;
  create(options: O, groups: readonly ParamGroup[]): Optimizer;
}

/** Builds the train/validation datasets of a data source from validated options. */
export interface DatasetFactory<O = Record<string, unknown>> {
  readonly schema: ZodType<O>;
  readonly description?: string;
  create(options: O, context: { readonly seed: number; readonly cwd: string }): Promise<{ train: Dataset; val?: Dataset }>;
}
