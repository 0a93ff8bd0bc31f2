/**
 * JSON.parse that also accepts the bare tokens NaN, Infinity and -Infinity outside strings (as
 * W&B's file_stream lines carry them); anything else JSON.parse rejects is still rejected.
 */
export function parseJsonWithNaN(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const token = ['-Infinity', 'Infinity', 'NaN'].find((t) => text.startsWith(t, i));
    if (token) {
      out += `"\\u0000${token}"`;
      i += token.length - 1;
    } else out += c;
  }
  return JSON.parse(out, (_k, v: unknown) => (typeof v === 'string' && v.startsWith('\u0000') ? Number(v.slice(1)) : v));
}
