import type { BackendInfo, BackendProvider } from '../contracts/backend.js';
import { KilnError, isKilnError } from '../errors.js';
import { BackendErrorCodes } from './errors.js';

/** A backend `selectBackend` passed over, and why. */
export interface SkippedBackend {
  readonly name: string;
  readonly priority: number;
  /** Where it failed: its probe, its activation, or the caller's check (e.g. kernel preflight). */
  readonly stage: 'probe' | 'activate' | 'check';
  readonly reason: string;
  /** The command or step that would make it available, when known. */
  readonly fix?: string;
  readonly code?: string;
}

export interface BackendChoice {
  readonly provider: BackendProvider;
  readonly info: BackendInfo;
  /** Under 'auto', the higher-priority backends that were skipped, in the order tried. */
  readonly skipped: readonly SkippedBackend[];
}

export interface SelectOptions {
  /** Activation options per backend name (e.g. `{ wasm: { threads: 2 } }`). */
  readonly options?: Readonly<Record<string, Record<string, unknown> | undefined>>;
  /** Runs after activation (e.g. `() => preflight(step)`); a throw skips the backend under 'auto'. */
  readonly check?: (info: BackendInfo, provider: BackendProvider) => void | Promise<void>;
}

async function attempt(p: BackendProvider, opts: SelectOptions): Promise<{ info: BackendInfo } | { skip: SkippedBackend }> {
  const base = { name: p.name, priority: p.priority };
  let probe;
  try {
    probe = await p.probe();
  } catch (e) {
    probe = { ok: false as const, reason: `probe threw: ${(e as Error)?.message ?? String(e)}` };
  }
  if (!probe.ok) return { skip: { ...base, stage: 'probe', reason: probe.reason, fix: probe.fix } };
  let info: BackendInfo;
  try {
    info = await p.activate(opts.options?.[p.name]);
  } catch (e) {
    return { skip: { ...base, stage: 'activate', reason: (e as Error)?.message ?? String(e), code: isKilnError(e) ? e.code : undefined } };
  }
  try {
    await opts.check?.(info, p);
  } catch (e) {
    return { skip: { ...base, stage: 'check', reason: (e as Error)?.message ?? String(e), code: isKilnError(e) ? e.code : undefined } };
  }
  return { info };
}

const describe = (s: SkippedBackend) => `${s.name}: ${s.reason}${s.fix ? ` (fix: ${s.fix})` : ''}`;

/**
 * Chooses and activates a backend. `'auto'` tries the providers by descending priority and
 * returns the first that probes, activates and passes `check`, with the reason each
 * higher-priority one was skipped; none → KILN_BACKEND_UNAVAILABLE listing every reason. An
 * explicit name that is unknown throws KILN_BACKEND_UNKNOWN; one that cannot load throws
 * KILN_BACKEND_UNAVAILABLE with its reason and fix; a failing `check` rethrows the check's error.
 * @example const { info, skipped } = await selectBackend(host.registries.backends.entries().map((e) => e.value), 'auto');
 */
export async function selectBackend(providers: readonly BackendProvider[], requested: 'auto' | (string & {}), opts: SelectOptions = {}): Promise<BackendChoice> {
  if (requested !== 'auto') {
    const p = providers.find((x) => x.name === requested);
    if (!p) {
      const names = providers.map((x) => x.name).sort();
      throw new KilnError(BackendErrorCodes.BACKEND_UNKNOWN,
        `Unknown backend '${requested}'. Available: auto${names.length ? `, ${names.join(', ')}` : ' (no backend plugin loaded: add @kiln/plugin-backend-wasm to plugins)'}.`,
        { details: { requested, available: names } });
    }
    const r = await attempt(p, { ...opts, check: undefined });
    if ('skip' in r) {
      throw new KilnError(BackendErrorCodes.BACKEND_UNAVAILABLE,
        `Backend '${p.name}' cannot be used here: ${r.skip.reason}.${r.skip.fix ? ` Fix: ${r.skip.fix}` : ''} Or use 'backend: auto'.`,
        { details: { ...r.skip } });
    }
    await opts.check?.(r.info, p);
    return { provider: p, info: r.info, skipped: [] };
  }
  const ordered = [...providers].sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
  const skipped: SkippedBackend[] = [];
  for (const p of ordered) {
    const r = await attempt(p, opts);
    if ('info' in r) return { provider: p, info: r.info, skipped };
    skipped.push(r.skip);
  }
  throw new KilnError(BackendErrorCodes.BACKEND_UNAVAILABLE,
    ordered.length ? `No backend could be used ('backend: auto'):\n${skipped.map((s) => `  ${describe(s)}`).join('\n')}`
      : `No backend is registered: add @kiln/plugin-backend-wasm (or another backend plugin) to 'plugins'.`,
    { details: { skipped } });
}

/**
 * One line for logs and `kiln doctor`: the backend chosen and why the others were skipped.
 * @example console.log(describeChoice(choice)); // "backend: wasm (wasm (1 thread, SIMD)); skipped native: ..."
 */
export function describeChoice(choice: BackendChoice): string {
  const head = `backend: ${choice.info.name} (${choice.info.device})`;
  return choice.skipped.length ? `${head}; skipped ${choice.skipped.map(describe).join('; ')}` : head;
}
