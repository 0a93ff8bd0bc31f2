/** Element types the loader reads; everything is converted to float32 or int32 for tfjs. */
export type WeightDType = 'float32' | 'int32';

/** One weight read from a file. `name` is the short name (`kernel`) or the position (`0`) for Keras files. */
export interface WeightData {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: WeightDType;
  readonly data: Float32Array | Int32Array;
}

/**
 * Weights read from a file, grouped by layer name in file order. `matchBy` says how a layer's
 * weights map onto the model's: by short name (tfjs files) or by position (Keras files, which store
 * each layer's trainable then non-trainable variables in creation order, like tfjs' `layer.weights`).
 */
export interface WeightSet {
  readonly format: 'tfjs' | 'keras-h5';
  readonly source: string;
  readonly matchBy: 'name' | 'position';
  readonly layers: ReadonlyMap<string, readonly WeightData[]>;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((a, b) => a * (b ?? 1), 1);
}
