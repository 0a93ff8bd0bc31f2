import type * as tfl from '@tensorflow/tfjs-layers';
import type { ZodType } from 'zod';

/** What a model factory learns from the data before it builds. */
export interface ModelContext {
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  readonly task: 'classification' | 'multilabel' | 'segmentation' | 'regression';
}

/**
 * Builds a tfjs-layers model from validated options. The schema validates the user's options
 * (minus `name`) before any tensor is made.
 * @example registry.register('tiny', { schema: z.object({ width: z.number().default(8) }), create: (o, ctx) => build(o, ctx) })
 */
export interface ModelFactory<O = Record<string, unknown>> {
  readonly schema: ZodType<O>;
  readonly description?: string;
  create(options: O, context: ModelContext): tfl.LayersModel;
}
