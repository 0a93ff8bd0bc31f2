import { KilnError } from '@kiln/core-trainer';
import { z } from 'zod';
import { UnetErrorCodes } from './errors.js';

/**
 * Options of the UNet factory. Every field is optional: unset fields come from the variant
 * (`small` unless named), then from the model context (`inChannels`, `numClasses`).
 * @example unetOptionsSchema.parse({ depth: 4, upsampling: 'bilinear' })
 */
export const unetOptionsSchema = z.object({
  variant: z.string().optional().describe("named configuration: 'small' (default) or 'classic'"),
  inChannels: z.number().int().min(1).optional().describe('input channels; defaults to the dataset\'s'),
  numClasses: z.number().int().min(1).optional().describe('output channels: 1 → sigmoid, >1 → softmax'),
  depth: z.number().int().min(1).max(8).optional().describe('number of down-sampling steps'),
  baseFilters: z.number().int().min(1).optional().describe('filters of the first block; doubled per level'),
  upsampling: z.enum(['transpose', 'bilinear']).optional().describe('2×2 transposed conv, or bilinear resize + 3×3 conv'),
  batchNorm: z.boolean().optional().describe('batch norm after every 3×3 conv'),
  dropout: z.number().min(0).max(0.95).optional().describe('dropout rate at the end of the contracting path'),
}).strict();

export type UnetOptions = z.infer<typeof unetOptionsSchema>;

/** A fully resolved UNet configuration. */
export interface UnetConfig {
  readonly inChannels: number;
  readonly numClasses: number;
  readonly depth: number;
  readonly baseFilters: number;
  readonly upsampling: 'transpose' | 'bilinear';
  readonly batchNorm: boolean;
  readonly dropout: number;
}

type Preset = Omit<UnetConfig, 'inChannels' | 'numClasses'>;

/** The named configurations. `classic` is Ronneberger et al. 2015 with 'same' padding. */
export const UNET_VARIANTS: Readonly<Record<string, Preset>> = {
  small: { depth: 3, baseFilters: 8, upsampling: 'transpose', batchNorm: true, dropout: 0 },
  classic: { depth: 4, baseFilters: 64, upsampling: 'transpose', batchNorm: false, dropout: 0.5 },
};

/** Validates options (throws KILN_MODEL_OPTIONS_INVALID) and fills unset fields from the variant. */
export function resolveUnetConfig(options: unknown, fallback: { inChannels: number; numClasses: number }): UnetConfig {
  const parsed = unetOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(options)';
    throw new KilnError(UnetErrorCodes.OPTIONS_INVALID, `UNet option '${field}': ${issue.message}.`, { details: { field } });
  }
  const o = parsed.data;
  const name = o.variant ?? 'small';
  const preset = UNET_VARIANTS[name];
  if (!preset) {
    throw new KilnError(UnetErrorCodes.UNKNOWN_VARIANT,
      `Unknown UNet variant '${name}' (option 'variant'). Available: ${Object.keys(UNET_VARIANTS).join(', ')}.`,
      { details: { option: 'variant', value: name, available: Object.keys(UNET_VARIANTS) } });
  }
  return {
    inChannels: o.inChannels ?? fallback.inChannels,
    numClasses: o.numClasses ?? fallback.numClasses,
    depth: o.depth ?? preset.depth,
    baseFilters: o.baseFilters ?? preset.baseFilters,
    upsampling: o.upsampling ?? preset.upsampling,
    batchNorm: o.batchNorm ?? preset.batchNorm,
    dropout: o.dropout ?? preset.dropout,
  };
}
