import * as tf from '@tensorflow/tfjs-core';
import { type Callback, HOOK_NAMES, type HookContext } from '@kiln/core-trainer';
import { formatDuration } from './internal/format.js';
import { type Clock, defaultClock, extrasOf } from './internal/plan.js';
import type { TextSink } from './progress-printer.js';

export interface ProfilerOptions {
  /** Where the summary goes at train end (default: nowhere; read `summary()`). */
  readonly stream?: TextSink;
  readonly now?: Clock;
}

export interface TimingStat { calls: number; totalMs: number; maxMs: number }

export interface ProfileSummary {
  /** `training step` (batch begin → end), `data wait` (batch end → next begin), `validation`, `epoch`, `fit`. */
  readonly phases: Record<string, TimingStat>;
  /** `callback.hook` → time, from `instrument()` (or the trainer's `ctx.hookTimings`). */
  readonly hooks: Record<string, TimingStat>;
  readonly memory: { peakTensors: number; peakTensorBytes: number; peakRssBytes: number; lastTensors: number };
}

/**
 * Times the loop's phases and every callback hook, samples memory (tf tensors and bytes, process
 * RSS) at each epoch end, and writes a summary table at train end. Per-hook times come from
 * wrapping callbacks with `profiler.instrument(callbacks)` (or from `ctx.hookTimings` when the
 * trainer provides them).
 * @example const profiler = new Profiler({ stream: process.stderr }); trainer = new Trainer(opts, { callbacks: [profiler, ...profiler.instrument(others)] });
 */
export class Profiler implements Callback {
  readonly name = 'profiler';
  readonly #now: Clock;
  readonly #o: ProfilerOptions;
  readonly #phases = new Map<string, TimingStat>();
  readonly #hooks = new Map<string, TimingStat>();
  readonly #open = new Map<string, number>();
  #memory = { peakTensors: 0, peakTensorBytes: 0, peakRssBytes: 0, lastTensors: 0 };
  #ctxTimings?: ReadonlyMap<string, { calls: number; totalMs: number }>;

  constructor(options: ProfilerOptions = {}) {
    this.#o = options;
    this.#now = options.now ?? defaultClock;
  }

  /** Wraps callbacks so each hook call is timed under `name.hook`; state and identity fields pass through. */
  instrument(callbacks: readonly Callback[]): Callback[] {
    return callbacks.map((cb) => {
      const name = cb.name ?? cb.constructor?.name ?? 'callback';
      const wrapped: Record<string, unknown> = { name, order: cb.order, stateKey: cb.stateKey };
      if (cb.stateDict) wrapped.stateDict = () => cb.stateDict!();
      if (cb.loadStateDict) wrapped.loadStateDict = (s: unknown) => cb.loadStateDict!(s);
      const hooks = [...HOOK_NAMES, 'onBeforeOptimizerStep'] as const;
      for (const hook of hooks) {
        const fn = (cb as unknown as Record<string, ((ctx: HookContext) => unknown) | undefined>)[hook];
        if (typeof fn !== 'function') continue;
        wrapped[hook] = async (ctx: HookContext) => {
          const t0 = this.#now();
          try {
            return await fn.call(cb, ctx);
          } finally {
            add(this.#hooks, `${name}.${hook}`, this.#now() - t0);
          }
        };
      }
      return wrapped as Callback;
    });
  }

  onTrainBegin(ctx: HookContext): void { this.#begin('fit'); this.#ctxTimings = extrasOf(ctx).hookTimings; }
  onEpochBegin(): void { this.#begin('epoch'); }
  onBatchBegin(): void {
    this.#end('data wait');
    this.#begin('training step');
  }
  onBatchEnd(): void {
    this.#end('training step');
    this.#begin('data wait');
  }
  onValidationBegin(): void {
    this.#open.delete('data wait');
    this.#begin('validation');
  }
  onValidationEnd(): void { this.#end('validation'); }
  onEpochEnd(): void {
    this.#open.delete('data wait');
    this.#end('epoch');
    this.#sample();
  }

  onTrainEnd(): void {
    this.#end('fit');
    this.#sample();
    if (this.#o.stream) this.#o.stream.write(this.format());
  }

  #begin(phase: string): void { this.#open.set(phase, this.#now()); }
  #end(phase: string): void {
    const t0 = this.#open.get(phase);
    if (t0 === undefined) return;
    this.#open.delete(phase);
    add(this.#phases, phase, this.#now() - t0);
  }

  #sample(): void {
    const m = tf.memory();
    const rss = process.memoryUsage().rss;
    const mem = this.#memory;
    this.#memory = {
      peakTensors: Math.max(mem.peakTensors, m.numTensors), peakTensorBytes: Math.max(mem.peakTensorBytes, m.numBytes),
      peakRssBytes: Math.max(mem.peakRssBytes, rss), lastTensors: m.numTensors,
    };
  }

  summary(): ProfileSummary {
    const hooks = Object.fromEntries([...this.#hooks].map(([k, v]) => [k, { ...v }]));
    for (const [k, v] of this.#ctxTimings ?? []) if (!(k in hooks)) hooks[k] = { calls: v.calls, totalMs: v.totalMs, maxMs: Number.NaN };
    return { phases: Object.fromEntries([...this.#phases].map(([k, v]) => [k, { ...v }])), hooks, memory: { ...this.#memory } };
  }

  /** The summary as a text table. */
  format(): string {
    const s = this.summary();
    const rows = (title: string, stats: Record<string, TimingStat>) => {
      const entries = Object.entries(stats).sort((a, b) => b[1].totalMs - a[1].totalMs);
      if (!entries.length) return [];
      const w = Math.max(title.length, ...entries.map(([k]) => k.length));
      return [`${title.padEnd(w)}  ${'calls'.padStart(7)}  ${'total'.padStart(8)}  ${'mean'.padStart(9)}`,
        ...entries.map(([k, v]) => `${k.padEnd(w)}  ${String(v.calls).padStart(7)}  ${formatDuration(v.totalMs).padStart(8)}  ${`${(v.totalMs / v.calls).toFixed(2)}ms`.padStart(9)}`)];
    };
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    return [...rows('phase', s.phases), '', ...rows('hook', s.hooks), '',
      `memory: peak ${s.memory.peakTensors} tensors (${mb(s.memory.peakTensorBytes)}), peak RSS ${mb(s.memory.peakRssBytes)}, ${s.memory.lastTensors} tensors at the end`, ''].join('\n');
  }
}

function add(map: Map<string, TimingStat>, key: string, ms: number): void {
  const t = map.get(key) ?? { calls: 0, totalMs: 0, maxMs: 0 };
  t.calls += 1;
  t.totalMs += ms;
  t.maxMs = Math.max(t.maxMs, ms);
  map.set(key, t);
}
