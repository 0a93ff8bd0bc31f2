import { REDACTED } from '../redact.js';

/**
 * `value` with every occurrence of each secret replaced by `***`: in a string, or in the strings
 * inside arrays and plain objects (copied, never changed in place). Other values are kept as they
 * are; empty secrets are ignored. Complements `redactSecrets`, which hides values by their key.
 * @example scrubSecrets({ msg: 'token abc123 refused' }, ['abc123']) // { msg: 'token *** refused' }
 */
export function scrubSecrets<T>(value: T, secrets: readonly string[]): T {
  const forms = secrets.filter((s) => s.length > 0);
  return forms.length === 0 ? value : (walk(value, forms) as T);
}

function walk(v: unknown, secrets: readonly string[]): unknown {
  if (typeof v === 'string') return secrets.reduce((s, k) => s.split(k).join(REDACTED), v);
  if (Array.isArray(v)) return v.map((x) => walk(x, secrets));
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, secrets)]));
  }
  return v;
}
