import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KilnError } from '@kiln/core-trainer';
import { parse as parseYaml } from 'yaml';
import { type ZodType, z } from 'zod';
import { DEFAULT_CONFIG } from './default-config.js';
import { type RunConfig, runConfigSchema } from './schema.js';

export const ConfigErrorCodes = {
  INVALID: 'KILN_CONFIG_INVALID', // a config field has the wrong type, an unknown key or a value out of range: the message names the field and what is allowed
  NOT_FOUND: 'KILN_CONFIG_NOT_FOUND', // --config names a file that does not exist or cannot be read
  PARSE: 'KILN_CONFIG_PARSE', // the config file is not valid YAML: the message gives the line
  OVERRIDE: 'KILN_CONFIG_OVERRIDE', // a command-line override is not of the form key.path=value
} as const;

export interface LoadedConfig {
  readonly config: RunConfig;
  /** The config as written (after overrides), before defaults: what `config.yaml` records. */
  readonly raw: Record<string, unknown>;
  /** Folder that relative paths in the config are resolved against. */
  readonly baseDir: string;
  readonly source: string;
}

/** Reads `file` (or the embedded default), applies `key.path=value` overrides and validates. */
export function loadConfig(file: string | undefined, overrides: readonly string[], cwd = process.cwd()): LoadedConfig {
  let raw: Record<string, unknown>;
  let baseDir = cwd;
  let source = 'embedded default';
  if (file) {
    const path = resolve(cwd, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new KilnError(ConfigErrorCodes.NOT_FOUND, `Config file '${file}' cannot be read (${(e as NodeJS.ErrnoException).code ?? e}). Pass an existing YAML file to --config.`, { cause: e });
    }
    try {
      raw = (parseYaml(text) ?? {}) as Record<string, unknown>;
    } catch (e) {
      throw new KilnError(ConfigErrorCodes.PARSE, `Config file '${file}' is not valid YAML: ${(e as Error).message}`, { cause: e });
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new KilnError(ConfigErrorCodes.INVALID, `Config file '${file}' must hold a mapping of keys (name, data, model, …).`);
    baseDir = dirname(path);
    source = path;
  } else {
    raw = structuredClone(DEFAULT_CONFIG) as Record<string, unknown>;
  }
  for (const o of overrides) applyOverride(raw, o);
  return { config: validate(runConfigSchema, raw, ''), raw, baseDir, source };
}

/** Sets `key.path=value` in `target`; the value is parsed as YAML (`3` → number, `[a, b]` → list, `true` → boolean). */
export function applyOverride(target: Record<string, unknown>, override: string): void {
  const eq = override.indexOf('=');
  const key = override.slice(0, eq);
  if (eq <= 0 || !/^[A-Za-z_][\w-]*(\.[\w-]+)*$/.test(key)) {
    throw new KilnError(ConfigErrorCodes.OVERRIDE, `'${override}' is not an override: write key.path=value (e.g. trainer.maxEpochs=3).`);
  }
  const text = override.slice(eq + 1);
  let value: unknown;
  try {
    value = text === '' ? '' : parseYaml(text);
  } catch {
    value = text;
  }
  const parts = key.split('.');
  let node: Record<string, unknown> = target;
  for (const p of parts.slice(0, -1)) {
    const next = node[p];
    if (typeof next === 'string') node[p] = { name: next }; // `model=unet` then `model.depth=4`
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

/**
 * Validates `value` with `schema`, throwing KILN_CONFIG_INVALID whose message names every bad
 * field with its path under `prefix` and, for enums and unknown keys, what is allowed.
 */
export function validate<T>(schema: ZodType<T>, value: unknown, prefix: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
    if (i.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, i.path);
      return `${i.keys.map((k) => `'${[path, k].filter(Boolean).join('.')}'`).join(', ')}: unknown key${i.keys.length > 1 ? 's' : ''}${allowed ? `. Allowed: ${allowed.join(', ')}` : ''}`;
    }
    return `'${path || '(root)'}': ${i.message}`;
  });
  throw new KilnError(ConfigErrorCodes.INVALID, `Invalid config:\n  - ${lines.join('\n  - ')}`, { details: { fields: r.error.issues.map((i) => [prefix, ...i.path.map(String)].filter(Boolean).join('.')) } });
}

function allowedKeys(schema: ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let s: unknown = schema;
  for (const p of [...path]) {
    s = unwrap(s);
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, unknown>)[String(p)];
    else return undefined;
  }
  s = unwrap(s);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : undefined;
}

function unwrap(s: unknown): unknown {
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = (s as z.ZodDefault).unwrap();
  return s;
}

/** Resolves a plugin reference: paths (starting with `.` or `/`) against `baseDir`; package names as they are. */
export function resolvePluginRef(ref: string, baseDir: string): { specifier: string; isPath: boolean } {
  const isPath = ref.startsWith('.') || ref.startsWith('/') || /^[A-Za-z]:[\\/]/.test(ref);
  return { specifier: isPath ? resolve(baseDir, ref) : ref, isPath };
}
