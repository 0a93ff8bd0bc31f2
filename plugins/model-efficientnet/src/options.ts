import { KilnError } from '@kiln/core-trainer';
import { z } from 'zod';
import { EfficientNetErrorCodes } from './errors.js';
import { EFFICIENTNET_VARIANTS, type EfficientNetVariantName } from './variants.js';

const variantNames = Object.keys(EFFICIENTNET_VARIANTS) as [EfficientNetVariantName, ...EfficientNetVariantName[]];

/**
 * Options of the EfficientNet factory; unset fields take the variant's (Keras) defaults.
 * @example efficientNetOptionsSchema.parse({ variant: 'b3', numClasses: 7, dropout: 0.4 })
 */
export const efficientNetOptionsSchema = z.object({
  variant: z.string().optional().describe('b0 … b7 (default b0)'),
  numClasses: z.number().int().min(1).optional().describe('classifier outputs; default: the dataset\'s (1000 when built directly)'),
  inputShape: z.tuple([z.number().int().min(1).nullable(), z.number().int().min(1).nullable(), z.number().int().min(1)]).optional()
    .describe('[height, width, channels]; default: the dataset\'s (the variant\'s resolution × 3 when built directly)'),
  dropout: z.number().min(0).max(0.95).optional().describe('dropout before the classifier (B0 0.2 … B7 0.5)'),
  dropConnect: z.number().min(0).max(0.95).optional().describe('stochastic depth: drop rate of the last block, linear from 0 (default 0.2)'),
  includeTop: z.boolean().optional().describe('add pooling + dropout + classifier (default true); false ends at top_activation'),
  pooling: z.enum(['avg', 'max', 'none']).optional().describe('with includeTop false: global pooling of the features (default none)'),
  classifierActivation: z.enum(['softmax', 'sigmoid', 'linear']).optional().describe('default softmax; sigmoid for multi-label or one class'),
  preprocessing: z.boolean().optional().describe('Keras stem: Rescaling(1/255) + Normalization (default true; inputs in 0…255)'),
  imagenetRescaling: z.boolean().optional().describe("add Keras' extra Rescaling(1/√std) that EfficientNet(weights='imagenet') has (default false)"),
}).strict();

export type EfficientNetOptions = z.infer<typeof efficientNetOptionsSchema>;

/** A fully resolved EfficientNet configuration. */
export interface EfficientNetConfig {
  readonly variant: EfficientNetVariantName;
  readonly numClasses: number;
  readonly inputShape: readonly [number | null, number | null, number];
  readonly dropout: number;
  readonly dropConnect: number;
  readonly includeTop: boolean;
  readonly pooling: 'avg' | 'max' | 'none';
  readonly classifierActivation: 'softmax' | 'sigmoid' | 'linear';
  readonly preprocessing: boolean;
  readonly imagenetRescaling: boolean;
}

/** Validates options (KILN_MODEL_OPTIONS_INVALID / KILN_MODEL_UNKNOWN_VARIANT) and fills defaults. */
export function resolveEfficientNetConfig(options: unknown, fallback: Partial<Pick<EfficientNetConfig, 'numClasses' | 'inputShape' | 'classifierActivation'>> = {}): EfficientNetConfig {
  const parsed = efficientNetOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(options)';
    throw new KilnError(EfficientNetErrorCodes.OPTIONS_INVALID, `EfficientNet option '${field}': ${issue.message}.`, { details: { field } });
  }
  const o = parsed.data;
  const variant = (o.variant ?? 'b0').toLowerCase().replace(/^(efficientnet-?)/, '') as EfficientNetVariantName;
  const v = EFFICIENTNET_VARIANTS[variant];
  if (!v) {
    throw new KilnError(EfficientNetErrorCodes.UNKNOWN_VARIANT,
      `Unknown EfficientNet variant '${o.variant}' (option 'variant'). Available: ${variantNames.join(', ')}.`,
      { details: { option: 'variant', value: o.variant, available: variantNames } });
  }
  const numClasses = o.numClasses ?? fallback.numClasses ?? 1000;
  return {
    variant,
    numClasses,
    inputShape: o.inputShape ?? fallback.inputShape ?? [v.resolution, v.resolution, 3],
    dropout: o.dropout ?? v.dropout,
    dropConnect: o.dropConnect ?? 0.2,
    includeTop: o.includeTop ?? true,
    pooling: o.pooling ?? 'none',
    classifierActivation: o.classifierActivation ?? fallback.classifierActivation ?? (numClasses === 1 ? 'sigmoid' : 'softmax'),
    preprocessing: o.preprocessing ?? true,
    imagenetRescaling: o.imagenetRescaling ?? false,
  };
}
