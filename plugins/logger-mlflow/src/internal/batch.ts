/** Per-request limits of `runs/log-batch` (service.proto, validation.py). */
export const LOG_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000, bytes: 1_000_000 } as const;

/** MLflow's longest key (MAX_ENTITY_KEY_LENGTH). */
export const MAX_KEY_LENGTH = 250;

/**
 * A metric/param/tag key MLflow accepts: characters from `[/\w.\- ]` (others become `_`), a
 * normalized relative path (no leading `/`, no `//`, no `..` or `.` segment), at most 250 chars.
 */
export function mlflowKey(key: string): string {
  const segments = key.replace(/[^/\w.\- ]/g, '_').split('/').filter((s) => s !== '');
  const clean = segments.map((s) => (s === '..' || s === '.' ? '_' : s)).join('/');
  return clean.slice(0, MAX_KEY_LENGTH) || '_';
}

/** A metric value in proto3 JSON: finite numbers as they are, NaN/±Infinity as strings. */
export function metricValue(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  return v;
}

/** A param value as text (objects as JSON). */
export function paramText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return 'None';
  return JSON.stringify(v);
}

/**
 * Splits `items` into groups of at most `maxCount` whose JSON stays under `maxBytes` (plus a
 * fixed envelope); a single item is never split.
 * @example chunk([1, 2, 3], 2, 1e6) // [[1, 2], [3]]
 */
export function chunk<T>(items: readonly T[], maxCount: number, maxBytes: number, envelope = 200): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = envelope;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = envelope;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
