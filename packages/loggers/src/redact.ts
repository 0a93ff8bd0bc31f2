/** Keys that look like secrets: their values are never written by a logger. */
const SECRET_KEY = /(api[_-]?key|apikey|token|password|passwd|secret|credential|authorization|auth[_-]?header|private[_-]?key)/i;

/** The text written in place of a secret value. */
export const REDACTED = '***';

/**
 * True when a parameter name looks like it holds a secret (api_key, token, password, secret…).
 * @example isSecretKey('wandb.apiKey') // true
 */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A deep copy of `value` in which every property whose key looks like a secret is replaced by
 * `'***'`. Arrays and plain objects are walked; other values are kept as they are.
 * @example redactSecrets({ lr: 0.1, wandb: { api_key: 'abc' } }) // { lr: 0.1, wandb: { api_key: '***' } }
 */
export function redactSecrets<T>(value: T): T {
  return walk(value, new WeakSet()) as T;
}

function walk(value: unknown, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, seen));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) && v !== undefined && v !== null ? REDACTED : walk(v, seen);
  return out;
}

/**
 * Flattens nested params to dotted keys (`{ optim: { lr: 1 } }` → `{ 'optim.lr': 1 }`) after
 * redacting secrets; arrays are kept as values.
 * @example flattenParams({ a: { b: 1 }, token: 'x' }) // { 'a.b': 1, token: '***' }
 */
export function flattenParams(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const visit = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype) {
        visit(v as Record<string, unknown>, key);
      } else out[key] = v;
    }
  };
  visit(redactSecrets(params) as Record<string, unknown>, '');
  return out;
}
