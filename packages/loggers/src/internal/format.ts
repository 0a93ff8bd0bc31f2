/** Short human form of a number: integers as they are, others with `digits` significant digits. */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(Math.max(0, digits - 1));
  return String(Number(v.toPrecision(digits)));
}

/** Encodes a number for JSON/CSV text without losing NaN and ±Infinity. */
export function numberToText(v: number): string | number {
  return Number.isFinite(v) ? v : String(v);
}

/** Inverse of `numberToText` for values read back. */
export function textToNumber(v: unknown): unknown {
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  return v;
}

/** Turns an error thrown by anything into one line of text. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return `${(e as { code?: string }).code ? `${(e as { code?: string }).code}: ` : ''}${e.message}`;
  return String(e);
}
