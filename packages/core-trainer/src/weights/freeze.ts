import type * as tfl from '@tensorflow/tfjs-layers';
import { type LayerSelector, headLayers, selectLayers, stagePattern } from './stages.js';

/**
 * Sets `trainable` on the selected layers (by name pattern and/or stage) and returns their names.
 * Frozen layers' variables get no gradients (tfjs marks them non-trainable). Note: unlike Keras, a
 * frozen tfjs BatchNormalization still normalizes with batch statistics when called with training=true.
 * @example setTrainable(model, { stages: ['stem', 'block1'] }, false)
 */
export function setTrainable(model: tfl.LayersModel, selector: LayerSelector, trainable: boolean): string[] {
  const layers = selectLayers(model, selector);
  for (const l of layers) l.trainable = trainable;
  return layers.map((l) => l.name);
}

/**
 * Freezes the selected layers.
 * @example freezeLayers(model, { layers: 'conv[1-3]_*' })
 */
export function freezeLayers(model: tfl.LayersModel, selector: LayerSelector): string[] {
  return setTrainable(model, selector, false);
}

/**
 * Unfreezes the selected layers.
 * @example unfreezeLayers(model, { stages: ['block7', 'top'] })
 */
export function unfreezeLayers(model: tfl.LayersModel, selector: LayerSelector): string[] {
  return setTrainable(model, selector, true);
}

/**
 * Freezes every layer outside the model's head stages (fine-tuning a new head on a loaded backbone);
 * returns the names of the layers left trainable. Without stage metadata only the last layer stays trainable.
 * @example const trainable = freezeBackbone(model); // ['avg_pool', 'predictions']
 */
export function freezeBackbone(model: tfl.LayersModel): string[] {
  const head = new Set(headLayers(model).map((l) => l.name));
  if (!head.size) head.add(model.layers.at(-1)!.name);
  for (const l of model.layers) l.trainable = head.has(l.name);
  return [...head];
}

/**
 * Parameter-group specs (for SupervisedModule's `paramGroups`) splitting the model into its head
 * stages and the rest ('backbone', the default group), e.g. a 10× larger LR for the head.
 * @example new SupervisedModule({ …, lr: 1e-4, paramGroups: headParamGroups(model, { lr: 1e-3 }) })
 */
export function headParamGroups(model: tfl.LayersModel, head: { lr?: number; weightDecay?: number }, headStages: readonly string[] = ['head']): { name: string; match: RegExp; lr?: number; weightDecay?: number }[] {
  return [{ name: 'head', match: stagePattern(model, headStages), ...head }];
}
