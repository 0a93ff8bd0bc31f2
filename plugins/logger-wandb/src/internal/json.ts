/**
 * JSON as W&B's Go core writes it (simplejsonext): like JSON.stringify, except that non-finite
 * numbers are the bare tokens `NaN`, `Infinity` and `-Infinity` instead of `null`. Keys whose
 * value is `undefined` or a function are skipped, as JSON.stringify does; bigints become numbers.
 */
export function toWandbJson(value: unknown): string {
  return write(value, new Set()) ?? 'null';
}

function write(value: unknown, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'number':
      if (Number.isNaN(value)) return 'NaN';
      if (value === Infinity) return 'Infinity';
      if (value === -Infinity) return '-Infinity';
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) return '"[circular]"';
  seen.add(obj);
  try {
    if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) {
      return `[${Array.from(obj as unknown as ArrayLike<number | bigint>, (v) => write(v, seen) ?? 'null').join(',')}]`;
    }
    if (Array.isArray(obj)) return `[${obj.map((v) => write(v, seen) ?? 'null').join(',')}]`;
    const json = (obj as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') return write(json.call(obj), seen);
    const parts: string[] = [];
    for (const [k, v] of Object.entries(obj)) {
      const s = write(v, seen);
      if (s !== undefined) parts.push(`${JSON.stringify(k)}:${s}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}
