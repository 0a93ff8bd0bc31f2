import type { ModelContext, ModelFactory } from '@kiln/core-trainer';
import { type BaselineCnnOptions, baselineCnnOptionsSchema, buildBaselineCnn } from './baseline-cnn.js';
import { type CheXNetOptions, buildCheXNet, cheXNetOptionsSchema } from './chexnet.js';
import { type DenseNetOptions, type DenseNetVariant, buildDenseNet, denseNetOptionsSchema } from './densenet.js';
import { type ResNetOptions, buildResNet50, resNetOptionsSchema } from './resnet.js';

/** The classifier activation a task implies: sigmoid for multi-label or one class, linear for regression. */
export function activationForTask(task: ModelContext['task'], numClasses: number): 'softmax' | 'sigmoid' | 'linear' {
  if (task === 'regression') return 'linear';
  return task === 'multilabel' || numClasses === 1 ? 'sigmoid' : 'softmax';
}

/** Fills shape, classes and activation from the dataset unless the options set them. */
function fromContext<T extends { numClasses?: number; inputShape?: unknown; classifierActivation?: string }>(o: T, ctx: ModelContext): T {
  const numClasses = o.numClasses ?? ctx.numClasses;
  return { ...o, numClasses, inputShape: o.inputShape ?? [...ctx.inputShape], classifierActivation: o.classifierActivation ?? activationForTask(ctx.task, numClasses) };
}

/**
 * `densenet` (option `variant` 121/169/201) or a factory fixed to one variant (`densenet121` …).
 * @example registries.models.register('densenet121', denseNetFactory(121))
 */
export function denseNetFactory(variant?: DenseNetVariant): ModelFactory<DenseNetOptions> {
  return {
    schema: denseNetOptionsSchema,
    description: variant ? `DenseNet-${variant} (keras.applications-compatible)` : 'DenseNet-121/169/201 (keras.applications-compatible); option variant',
    create: (o, ctx) => buildDenseNet(fromContext(variant ? { ...o, variant } : o, ctx)),
  };
}

/**
 * `chexnet`: DenseNet-121 + 14 sigmoid outputs; classes and input shape default to the dataset's.
 * @example registries.models.register('chexnet', cheXNetFactory)
 */
export const cheXNetFactory: ModelFactory<CheXNetOptions> = {
  schema: cheXNetOptionsSchema,
  description: 'CheXNet: DenseNet-121 backbone, sigmoid multi-label head (14 chest X-ray findings by default)',
  create: (o, ctx) => buildCheXNet({ ...o, numClasses: o.numClasses ?? ctx.numClasses, inputShape: o.inputShape ?? [...ctx.inputShape] }),
};

/**
 * `resnet50`: keras.applications-compatible ResNet-50.
 * @example registries.models.register('resnet50', resNet50Factory)
 */
export const resNet50Factory: ModelFactory<ResNetOptions> = {
  schema: resNetOptionsSchema,
  description: 'ResNet-50 v1 (keras.applications-compatible)',
  create: (o, ctx) => buildResNet50(fromContext(o, ctx)),
};

/**
 * `cnn-baseline`: the small 5-layer CNN.
 * @example registries.models.register('cnn-baseline', baselineCnnFactory)
 */
export const baselineCnnFactory: ModelFactory<BaselineCnnOptions> = {
  schema: baselineCnnOptionsSchema,
  description: 'Small 5-layer baseline CNN (3 conv + 2 dense)',
  create: (o, ctx) => buildBaselineCnn(fromContext(o, ctx)),
};
