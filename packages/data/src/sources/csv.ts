/**
 * Parses RFC 4180 CSV (quoted fields, "" escapes, CRLF or LF, a header row) into row objects.
 * Returns the header and rows; `line` is each row's 1-based line number in the file.
 * Throws an Error with the line for an unterminated quote or a row with too many fields.
 */
export function parseCsv(text: string): { header: string[]; rows: { values: Record<string, string>; line: number }[] } {
  const records: { fields: string[]; line: number }[] = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  let line = 1;
  let start = 1;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else { if (ch === '\n') line++; field += ch; }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') { fields.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      fields.push(field);
      if (!(fields.length === 1 && fields[0] === '')) records.push({ fields, line: start });
      fields = []; field = ''; line++; start = line;
    } else field += ch;
  }
  if (quoted) throw new Error(`unterminated quoted field starting on line ${start}`);
  if (field !== '' || fields.length) { fields.push(field); records.push({ fields, line: start }); }
  const [head, ...body] = records;
  const header = (head?.fields ?? []).map((h) => h.trim());
  const rows = body.map((r) => {
    if (r.fields.length > header.length) throw new Error(`line ${r.line} has ${r.fields.length} fields but the header has ${header.length}`);
    return { values: Object.fromEntries(header.map((h, k) => [h, r.fields[k] ?? ''])), line: r.line };
  });
  return { header, rows };
}
