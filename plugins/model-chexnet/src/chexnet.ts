import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { buildDenseNet, denseNetVariant } from './densenet.js';
import { apply, inputShapeSchema, parseOptions, tagStages } from './internal/common.js';
import { DENSENET_STAGES } from './densenet.js';

/** The 14 ChestX-ray14 findings, in the order of CheXNet's outputs (Rajpurkar et al. 2017). */
export const CHEXNET_LABELS = [
  'Atelectasis', 'Cardiomegaly', 'Effusion', 'Infiltration', 'Mass', 'Nodule', 'Pneumonia',
  'Pneumothorax', 'Consolidation', 'Edema', 'Emphysema', 'Fibrosis', 'Pleural_Thickening', 'Hernia',
] as const;

/** Options of `buildCheXNet`. */
export const cheXNetOptionsSchema = z.object({
  variant: z.union([z.number().int(), z.string()]).optional().describe('DenseNet backbone: 121 (default), 169, 201'),
  numClasses: z.number().int().min(1).optional().describe('sigmoid outputs (default 14, the ChestX-ray14 findings)'),
  inputShape: inputShapeSchema.optional().describe('[height, width, channels] (default 224×224×3)'),
  dropout: z.number().min(0).max(0.95).optional().describe('dropout before the classifier (default 0, as in CheXNet)'),
}).strict();
export type CheXNetOptions = z.infer<typeof cheXNetOptionsSchema>;

/**
 * CheXNet: a DenseNet-121 backbone (Keras layer names) with global average pooling and a dense layer
 * of 14 sigmoid outputs named `predictions`, for multi-label chest X-rays. Loading Keras ImageNet
 * DenseNet-121 weights with `strict: false` fills the backbone and leaves the new head initialised.
 * @example
 * const model = buildCheXNet(); // [N, 224, 224, 3] → [N, 14] probabilities, order CHEXNET_LABELS
 */
export function buildCheXNet(options: CheXNetOptions = {}): tfl.LayersModel {
  const o = parseOptions(cheXNetOptionsSchema, options, 'CheXNet');
  const variant = denseNetVariant(o.variant);
  const backbone = buildDenseNet({ variant, inputShape: o.inputShape ?? [224, 224, 3], includeTop: false, pooling: 'avg' });
  let x = backbone.outputs[0]!;
  if ((o.dropout ?? 0) > 0) x = apply(tfl.layers.dropout({ rate: o.dropout!, name: 'top_dropout' }), x);
  x = apply(tfl.layers.dense({ units: o.numClasses ?? CHEXNET_LABELS.length, activation: 'sigmoid', kernelInitializer: 'glorotUniform', name: 'predictions' }), x);
  const model = tfl.model({ inputs: backbone.inputs, outputs: x, name: `chexnet_densenet${variant}` });
  tagStages(model, `chexnet-densenet-${variant}`, { ...DENSENET_STAGES, head: '^(avg_pool|top_dropout|predictions)$' });
  return model;
}
