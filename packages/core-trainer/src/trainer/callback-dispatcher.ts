import type { Callback, HookContext, HookName } from '../contracts/callback.js';
import { CoreErrorCodes, KilnError } from '../errors.js';

/** Wall time spent in each `callback.hook`, in milliseconds (for the Profiler and the summary). */
export type HookTimings = Map<string, { calls: number; totalMs: number }>;

/**
 * Calls callbacks in a fixed order (ascending `order`, then registration order; checkpointing
 * uses 100 so it runs last), awaits async hooks, times each call, and wraps a failure in
 * KILN_CALLBACK_FAILED naming the callback and the hook.
 */
export class CallbackDispatcher {
  readonly callbacks: readonly Callback[];
  readonly timings: HookTimings = new Map();

  constructor(callbacks: readonly Callback[]) {
    this.callbacks = callbacks.map((c, i) => ({ c, i }))
      .sort((a, b) => (a.c.order ?? 0) - (b.c.order ?? 0) || a.i - b.i)
      .map((x) => x.c);
  }

  /** True when some callback implements `hook` (lets the trainer skip preparing its context). */
  has(hook: HookName): boolean {
    return this.callbacks.some((c) => typeof c[hook] === 'function');
  }

  async call(hook: HookName, ctx: HookContext): Promise<void> {
    for (const cb of this.callbacks) {
      const fn = cb[hook];
      if (!fn) continue;
      const name = callbackName(cb);
      const t0 = performance.now();
      try {
        await fn.call(cb, ctx);
      } catch (e) {
        if (hook === 'onException') continue; // never mask the original error
        throw new KilnError(CoreErrorCodes.CALLBACK_FAILED, `Callback '${name}' failed in ${hook}: ${(e as Error)?.message ?? String(e)}`,
          { cause: e, details: { callback: name, hook } });
      } finally {
        const key = `${name}.${hook}`;
        const t = this.timings.get(key) ?? { calls: 0, totalMs: 0 };
        t.calls += 1;
        t.totalMs += performance.now() - t0;
        this.timings.set(key, t);
      }
    }
  }

  /** `{ stateKey: state }` for every stateful callback. */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const cb of this.callbacks) if (cb.stateKey && cb.stateDict) out[cb.stateKey] = cb.stateDict();
    return out;
  }

  loadStateDict(state: Readonly<Record<string, unknown>>): void {
    for (const cb of this.callbacks) {
      if (cb.stateKey && cb.loadStateDict && cb.stateKey in state) cb.loadStateDict(state[cb.stateKey]);
    }
  }
}

export function callbackName(cb: Callback): string {
  return cb.name ?? cb.constructor?.name ?? 'callback';
}
