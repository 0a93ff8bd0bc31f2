import * as tf from '@tensorflow/tfjs-core';
import { registeredBackends } from './preflight.js';

export interface KernelTable {
  readonly backends: readonly string[];
  /** One row per kernel: which backends register it. */
  readonly rows: readonly { readonly kernel: string; readonly available: Readonly<Record<string, boolean>> }[];
}

/**
 * Which registered backends implement which kernels (all kernels any of them registers, or the
 * given ones, e.g. a preflight trace). For `kiln doctor`.
 * @example const table = kernelTable({ kernels: report.kernels }); console.log(formatKernelTable(table, { gapsOnly: true }));
 */
export function kernelTable(options: { kernels?: readonly string[]; backends?: readonly string[] } = {}): KernelTable {
  const backends = [...(options.backends ?? registeredBackends())];
  const kernels = options.kernels ? [...new Set(options.kernels)].sort()
    : [...new Set(backends.flatMap((b) => tf.getKernelsForBackend(b).map((k) => k.kernelName)))].sort();
  return { backends, rows: kernels.map((kernel) => ({ kernel, available: Object.fromEntries(backends.map((b) => [b, tf.getKernel(kernel, b) != null])) })) };
}

/** The table as aligned text ('✓' / '-'); `gapsOnly` keeps the kernels some backend lacks. */
export function formatKernelTable(table: KernelTable, options: { gapsOnly?: boolean } = {}): string {
  const rows = options.gapsOnly ? table.rows.filter((r) => table.backends.some((b) => !r.available[b])) : table.rows;
  const width = Math.max(6, ...rows.map((r) => r.kernel.length));
  const head = ['kernel'.padEnd(width), ...table.backends].join('  ');
  const lines = rows.map((r) => [r.kernel.padEnd(width), ...table.backends.map((b) => (r.available[b] ? '✓' : '-').padEnd(b.length))].join('  '));
  return [head, ...lines].join('\n');
}
