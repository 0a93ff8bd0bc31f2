import { toWandbJson } from './json.js';

/** One history row as the outbox keeps it; `line` is local (0 = first row this run logged). */
export interface HistoryPayload {
  line: number;
  step: number;
  values: Record<string, unknown>;
  runtime: number;
  timestamp: number;
}

/** A run file waiting for upload: its W&B name and either inline bytes or a snapshot (`snapshotRunFiles`) under the outbox folder. */
export interface FilePayload {
  name: string;
  data?: Uint8Array;
  /** Path of the snapshot relative to the outbox folder. */
  blob?: string;
}

/** One console line as the outbox keeps it. */
export interface ConsolePayload {
  line: number;
  text: string;
  stderr: boolean;
  label?: string;
  time: number;
}

/** `config` for UpsertBucket: a JSON string of `{ key: { value } }` (runconfig.Serialize). */
export function configJson(config: Readonly<Record<string, unknown>>): string {
  const out: Record<string, { value: unknown }> = {};
  for (const [k, v] of Object.entries(config)) out[k] = { value: v };
  return JSON.stringify(out);
}

/** The `config.yaml` run file, in the SDK's shape (`key:` / `  value: …`); values as JSON flow YAML. */
export function configYaml(config: Readonly<Record<string, unknown>>): string {
  const lines = ['wandb_version: 1', ''];
  for (const [k, v] of Object.entries(config)) {
    lines.push(`${/^[A-Za-z_][\w./-]*$/.test(k) ? k : JSON.stringify(k)}:`, '  desc: null', `  value: ${JSON.stringify(v ?? null)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A `wandb-history.jsonl` line: the values plus `_step`, `_runtime`, `_timestamp`; NaN/Infinity as bare tokens. */
export function historyLine(p: HistoryPayload, serverLine: number): string {
  return toWandbJson({ ...p.values, _step: serverLine, _runtime: p.runtime, _timestamp: p.timestamp });
}

/** The `wandb-summary.json` line: latest value per key plus the run's clock. */
export function summaryLine(summary: Readonly<Record<string, unknown>>): string {
  const runtime = typeof summary._runtime === 'number' ? summary._runtime : 0;
  return toWandbJson({ ...summary, _wandb: { runtime: Math.floor(runtime) } });
}

/** `2006-01-02T15:04:05.000000` in UTC, without a zone, as W&B's console log uses. */
export function consoleTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000`;
}

/** An `output.log` line: `[ERROR ]<time> [label ]content`. */
export function consoleLine(p: ConsolePayload): string {
  return `${p.stderr ? 'ERROR ' : ''}${consoleTime(p.time)} ${p.label ? `[${p.label}] ` : ''}${p.text}`;
}

/** A name safe for a W&B file path component. */
export function safeName(s: string): string {
  return s.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '_').slice(0, 200) || '_';
}

/**
 * A W&B histogram (`{_type:'histogram', values, bins}`, bins has one edge more than values) of the
 * finite entries of `values`, in `bins` equal-width bins over [min, max] (the last bin closed);
 * undefined when no entry is finite.
 */
export function histogram(values: ArrayLike<number>, bins = 64): { _type: 'histogram'; values: number[]; bins: number[] } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min > max) return undefined;
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const n = Math.max(1, Math.min(512, Math.floor(bins)));
  const counts = new Array<number>(n).fill(0);
  const width = (max - min) / n;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) counts[Math.min(n - 1, Math.floor((v - min) / width))]!++;
  }
  const edges = Array.from({ length: n + 1 }, (_, i) => (i === n ? max : min + i * width));
  return { _type: 'histogram', values: counts, bins: edges };
}
