import type { ModelContext, ModelFactory } from '@kiln/core-trainer';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildEfficientNetFromConfig } from './efficientnet.js';
import { type EfficientNetOptions, efficientNetOptionsSchema, resolveEfficientNetConfig } from './options.js';
import { EFFICIENTNET_VARIANTS, type EfficientNetVariantName } from './variants.js';

/** The classifier activation a task implies: sigmoid for multi-label, linear for regression. */
export function activationForTask(task: ModelContext['task'], numClasses: number): 'softmax' | 'sigmoid' | 'linear' {
  if (task === 'regression') return 'linear';
  return task === 'multilabel' || numClasses === 1 ? 'sigmoid' : 'softmax';
}

function create(options: EfficientNetOptions, context: ModelContext): tfl.LayersModel {
  const numClasses = options.numClasses ?? context.numClasses;
  return buildEfficientNetFromConfig(resolveEfficientNetConfig(options, {
    numClasses, inputShape: context.inputShape, classifierActivation: activationForTask(context.task, numClasses),
  }));
}

/**
 * The `efficientnet` factory (`variant: b0…b7`); input shape and classes default to the dataset's,
 * the classifier activation to the task's (softmax, or sigmoid for multi-label).
 * @example registries.models.register('efficientnet', efficientNetFactory)
 */
export const efficientNetFactory: ModelFactory<EfficientNetOptions> = {
  schema: efficientNetOptionsSchema,
  description: 'EfficientNet B0–B7 (Keras-compatible layer names and parameter counts); option variant: b0…b7',
  create,
};

/**
 * A factory fixed to one variant (`efficientnet-b3` …); options may still override other fields.
 * @example registries.models.register('efficientnet-b3', efficientNetVariantFactory('b3'))
 */
export function efficientNetVariantFactory(variant: EfficientNetVariantName): ModelFactory<EfficientNetOptions> {
  const v = EFFICIENTNET_VARIANTS[variant];
  return {
    schema: efficientNetOptionsSchema,
    description: `EfficientNet-${variant.toUpperCase()} (native input ${v.resolution}×${v.resolution})`,
    create: (options, context) => create({ ...options, variant }, context),
  };
}
