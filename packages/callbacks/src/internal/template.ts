import { KilnError } from '@kiln/core-trainer';
import { CallbackErrorCodes } from '../errors.js';

interface Field { readonly name: string; readonly zero: boolean; readonly width: number; readonly precision?: number; readonly type?: 'd' | 'f' | 'e' | 'g' }
type Part = string | Field;

const FIELD = /^([A-Za-z_][\w/.@-]*)(?::(0)?(\d+)?(?:\.(\d+))?([dfeg])?)?$/;

/**
 * A checkpoint filename template with Python-style fields: `{epoch:03d}-{val_loss:.3f}`.
 * Specs: `[0][width][.precision][d|f|e|g]`; `{{`/`}}` are literal braces. With
 * `autoInsertMetricName` (Lightning's default) a field is written as `name=value`. `/` in a metric
 * name becomes `_` in the file name. Malformed templates throw at construction, unknown fields
 * at the first `format` (both KILN_CALLBACK_TEMPLATE_FIELD).
 */
export class FilenameTemplate {
  readonly parts: readonly Part[];

  constructor(readonly template: string, readonly autoInsertMetricName = true) {
    const parts: Part[] = [];
    let text = '';
    for (let i = 0; i < template.length; i++) {
      const c = template[i];
      if ((c === '{' || c === '}') && template[i + 1] === c) {
        text += c;
        i++;
      } else if (c === '{') {
        const end = template.indexOf('}', i);
        const m = end < 0 ? null : FIELD.exec(template.slice(i + 1, end));
        if (!m) throw bad(template, `field at position ${i} is not {name} or {name:spec} with spec [0][width][.precision][d|f|e|g]`);
        if (text) parts.push(text);
        text = '';
        parts.push({ name: m[1], zero: m[2] === '0', width: m[3] ? Number(m[3]) : 0, precision: m[4] === undefined ? undefined : Number(m[4]), type: m[5] as Field['type'] });
        i = end;
      } else if (c === '}') {
        throw bad(template, `unmatched '}' at position ${i}`);
      } else text += c;
    }
    if (text) parts.push(text);
    if (!parts.length) throw bad(template, 'it is empty');
    this.parts = parts;
  }

  get fields(): string[] {
    return this.parts.filter((p): p is Field => typeof p !== 'string').map((p) => p.name);
  }

  /** The file name for `values`; throws KILN_CALLBACK_TEMPLATE_FIELD naming a field missing from `values`. */
  format(values: Readonly<Record<string, number>>): string {
    return this.parts.map((p) => {
      if (typeof p === 'string') return p;
      const v = values[p.name];
      if (typeof v !== 'number') {
        throw new KilnError(CallbackErrorCodes.TEMPLATE_FIELD,
          `Checkpoint filename '${this.template}' uses {${p.name}}, which is not logged. Available: ${Object.keys(values).join(', ')}.`,
          { details: { template: this.template, field: p.name, available: Object.keys(values) } });
      }
      const s = formatNumber(v, p);
      return this.autoInsertMetricName ? `${p.name.replace(/\//g, '_')}=${s}` : s;
    }).join('');
  }
}

function bad(template: string, why: string): KilnError {
  return new KilnError(CallbackErrorCodes.TEMPLATE_FIELD, `Checkpoint filename template '${template}' is malformed: ${why}.`, { details: { template } });
}

function formatNumber(v: number, f: Field): string {
  if (!Number.isFinite(v)) return String(v).toLowerCase();
  let body: string;
  const abs = Math.abs(v);
  switch (f.type) {
    case 'd': body = String(Math.round(abs)); break;
    case 'f': body = abs.toFixed(f.precision ?? 6); break;
    case 'e': body = pyExp(abs.toExponential(f.precision ?? 6)); break;
    case 'g': body = String(Number(abs.toPrecision(f.precision || 6))); break;
    default: body = f.precision === undefined ? String(abs) : abs.toFixed(f.precision);
  }
  const sign = v < 0 && Number(body) !== 0 ? '-' : '';
  const width = Math.max(0, f.width - sign.length);
  return sign + (f.zero ? body.padStart(width, '0') : body).padStart(f.zero ? 0 : width, ' ');
}

/** `1.5e-3` → `1.5e-03` (Python's two-digit exponent). */
function pyExp(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}
