/** Compound-scaling coefficients of one EfficientNet variant (Tan & Le 2019; keras.applications). */
export interface EfficientNetVariant {
  readonly width: number;
  readonly depth: number;
  readonly resolution: number;
  readonly dropout: number;
}

/**
 * B0…B7: width and depth multipliers, default input size and top dropout, as in
 * `keras.applications.EfficientNetB0…B7`.
 * @example EFFICIENTNET_VARIANTS.b3.resolution // 300
 */
export const EFFICIENTNET_VARIANTS = {
  b0: { width: 1.0, depth: 1.0, resolution: 224, dropout: 0.2 },
  b1: { width: 1.0, depth: 1.1, resolution: 240, dropout: 0.2 },
  b2: { width: 1.1, depth: 1.2, resolution: 260, dropout: 0.3 },
  b3: { width: 1.2, depth: 1.4, resolution: 300, dropout: 0.3 },
  b4: { width: 1.4, depth: 1.8, resolution: 380, dropout: 0.4 },
  b5: { width: 1.6, depth: 2.2, resolution: 456, dropout: 0.4 },
  b6: { width: 1.8, depth: 2.6, resolution: 528, dropout: 0.5 },
  b7: { width: 2.0, depth: 3.1, resolution: 600, dropout: 0.5 },
} as const satisfies Record<string, EfficientNetVariant>;

export type EfficientNetVariantName = keyof typeof EFFICIENTNET_VARIANTS;

/** One stage of MBConv blocks at B0 scale. */
export interface StageArgs {
  readonly kernel: number;
  readonly repeats: number;
  readonly filtersIn: number;
  readonly filtersOut: number;
  readonly expand: number;
  readonly strides: number;
  readonly seRatio: number;
}

/** The seven MBConv stages of EfficientNet-B0. */
export const B0_STAGES: readonly StageArgs[] = [
  { kernel: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expand: 1, strides: 1, seRatio: 0.25 },
  { kernel: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expand: 6, strides: 2, seRatio: 0.25 },
  { kernel: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expand: 6, strides: 2, seRatio: 0.25 },
  { kernel: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expand: 6, strides: 2, seRatio: 0.25 },
  { kernel: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expand: 6, strides: 1, seRatio: 0.25 },
  { kernel: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expand: 6, strides: 2, seRatio: 0.25 },
  { kernel: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expand: 6, strides: 1, seRatio: 0.25 },
];

/** Scales a filter count by the width multiplier, rounded to a multiple of 8 (never below 90 %). */
export function roundFilters(filters: number, width: number, divisor = 8): number {
  const scaled = filters * width;
  let out = Math.max(divisor, Math.floor((scaled + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * scaled) out += divisor;
  return out;
}

/** Scales a stage's repeat count by the depth multiplier (ceiling). */
export function roundRepeats(repeats: number, depth: number): number {
  return Math.ceil(depth * repeats);
}
