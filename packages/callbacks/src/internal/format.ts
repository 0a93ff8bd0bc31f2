/** Formats a metric value: 3 decimals, exponent for tiny/huge values and learning rates. */
export function formatValue(key: string, value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (/(^|_)lr(\b|_|$)/.test(key)) return value.toExponential(1);
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return value.toExponential(2);
  return value.toFixed(3);
}

/** Orders log keys: `loss`, train metrics, `val_loss`, val metrics, then LR keys last. */
export function orderKeys(keys: readonly string[]): string[] {
  const rank = (k: string): number => {
    if (/(^|_)lr(\b|_|$)/.test(k)) return 4;
    if (k === 'loss') return 0;
    if (k === 'val_loss') return 2;
    return k.startsWith('val_') ? 3 : 1;
  };
  return keys.map((k, i) => ({ k, i })).sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i).map((e) => e.k);
}

/** `12.3s`, `1m26s`, `2h05m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 59.95) return `${s.toFixed(1)}s`;
  const total = Math.round(s);
  if (total < 3600) return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
  const m = Math.round(total / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Log keys that are bookkeeping, not metrics: not shown unless asked for. */
const HIDDEN = new Set(['epoch', 'step', 'global_step', 'epoch_time_s']);

/** `loss 0.412  val_dice 0.712  lr 1.0e-3` for the given logs (bookkeeping keys such as `epoch` hidden). */
export function formatLogs(logs: Readonly<Record<string, number>>, keys?: readonly string[]): string {
  return orderKeys(keys ?? Object.keys(logs).filter((k) => !HIDDEN.has(k))).filter((k) => typeof logs[k] === 'number').map((k) => `${k} ${formatValue(k, logs[k])}`).join('  ');
}
