import { trainerOptionsSchema } from '@kiln/core-trainer';
import { z } from 'zod';

/** A registry entry in the config: a name, or `{ name, ...options }` validated by that entry's own schema. */
const named = z.union([z.string().min(1), z.object({ name: z.string().min(1) }).loose()]);

export const BACKEND_NAMES = ['auto', 'native-gpu', 'native', 'wasm', 'cpu'] as const;

/**
 * The one schema of a Kiln run config (YAML). Sections that name a registry entry (`data`, `model`,
 * `loss`, `metrics`, `optimizer`, `schedule`, `callbacks`, `loggers`) are checked again, option by
 * option, against the schema of the plugin that provides the entry, once plugins are loaded.
 */
export const runConfigSchema = z.object({
  /** Run name: the run directory is `<output.dir>/<name>` (made unique unless resuming). */
  name: z.string().regex(/^[\w.-]+$/, 'use letters, digits, ".", "_" and "-"').optional(),
  seed: z.number().int().default(42),
  /** Extra plugins, by package name or by path relative to the config file (or the working directory). */
  plugins: z.array(z.string().min(1)).default([]),
  /** `auto`, a built-in backend (BACKEND_NAMES) or one a plugin registers; checked against the loaded plugins. */
  backend: z.string().min(1).default('auto'),
  /** Options per backend name, e.g. `{ wasm: { threads: 2 } }`; each backend validates its own, and `auto` passes each its own. */
  backendOptions: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  data: z.object({
    name: z.string().min(1),
    batchSize: z.number().int().min(1).default(16),
    valBatchSize: z.number().int().min(1).optional(),
    shuffle: z.boolean().default(true),
  }).loose(),
  model: z.object({ name: z.string().min(1) }).loose(),
  loss: named,
  metrics: z.array(named).default([]),
  optimizer: z.object({
    name: z.string().min(1).default('adam'),
    lr: z.number().positive().default(1e-3),
    /** Weight decay of every group that sets none (unset: the optimizer's default, e.g. 0.01 for adamw as in PyTorch). */
    weightDecay: z.number().min(0).optional(),
    paramGroups: z.array(z.object({
      name: z.string().min(1), match: z.string().min(1), lr: z.number().positive().optional(), weightDecay: z.number().min(0).optional(),
    }).strict()).optional(),
  }).loose().default({ name: 'adam', lr: 1e-3 }),
  /** LR schedule; omit or `null` for a constant LR. */
  schedule: named.nullable().optional(),
  /** Mixup / CutMix of training batches (λ ~ Beta(alpha, alpha)); the loss is mixed accordingly. */
  mixup: z.object({
    alpha: z.number().positive(),
    mode: z.enum(['mixup', 'cutmix', 'both']).default('mixup'),
    prob: z.number().min(0).max(1).default(1),
  }).strict().optional(),
  trainer: trainerOptionsSchema.omit({ seed: true }).default(trainerOptionsSchema.omit({ seed: true }).parse({})),
  callbacks: z.array(named).default([]),
  loggers: z.array(named).default(['jsonl']),
  output: z.object({ dir: z.string().min(1).default('runs') }).strict().default({ dir: 'runs' }),
}).strict();

export type RunConfigInput = z.input<typeof runConfigSchema>;
export type RunConfig = z.output<typeof runConfigSchema>;
export type NamedEntry = z.output<typeof named>;

/** `{ name, options }` of a registry entry written as a string or an object. */
export function splitNamed(entry: NamedEntry): { name: string; options: Record<string, unknown> } {
  if (typeof entry === 'string') return { name: entry, options: {} };
  const { name, ...options } = entry;
  return { name, options };
}
