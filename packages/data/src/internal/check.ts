import { type DatasetSpec, KilnError, type Sample } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';

/** Elements in one sample's input / target, from the spec. */
export function specSizes(spec: DatasetSpec): { x: number; y: number } {
  return { x: spec.inputShape.reduce((a, b) => a * b, 1), y: spec.targetShape.reduce((a, b) => a * b, 1) };
}

/** Throws KILN_DATA_SAMPLE_SHAPE when `s` does not match `spec`; `where` names the sample. */
export function checkSample(spec: DatasetSpec, s: Sample, where: string): void {
  const n = specSizes(spec);
  const id = s.id ? ` (${s.id})` : '';
  if (!(s.x instanceof Float32Array) || s.x.length !== n.x) {
    throw new KilnError(DataErrorCodes.SAMPLE_SHAPE,
      `${where}${id}: x has ${s.x?.length ?? 'no'} values but spec.inputShape [${spec.inputShape.join(', ')}] needs ${n.x} (Float32Array, HWC).`,
      { details: { where, id: s.id, expected: n.x, got: s.x?.length } });
  }
  const ylen = typeof s.y === 'number' ? 1 : s.y.length;
  if (ylen !== n.y || (typeof s.y === 'number' && spec.targetShape.length !== 0)) {
    throw new KilnError(DataErrorCodes.SAMPLE_SHAPE,
      `${where}${id}: y has ${ylen} values but spec.targetShape [${spec.targetShape.join(', ')}] needs ${n.y}.`,
      { details: { where, id: s.id, expected: n.y, got: ylen } });
  }
}

/** Throws KILN_DATA_INDEX_RANGE unless `index` is an integer in [0, size). */
export function checkIndex(index: number, size: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new KilnError(DataErrorCodes.INDEX_RANGE, `Sample index ${index} is outside the dataset of ${size} samples.`, { details: { index, size } });
  }
}

/** Throws KILN_DATA_INVALID_OPTION naming `option` unless `ok`. */
export function requireOption(ok: boolean, option: string, message: string): void {
  if (!ok) throw new KilnError(DataErrorCodes.INVALID_OPTION, `Option '${option}': ${message}`, { details: { option } });
}
