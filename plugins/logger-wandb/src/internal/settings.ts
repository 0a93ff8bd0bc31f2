import { randomInt } from 'node:crypto';
import { KilnError } from '@kiln/core-trainer';
import { WandbErrorCodes } from '../errors.js';
import type { WandbOptions } from '../options.js';

export type WandbMode = 'online' | 'offline' | 'disabled';

/** Options merged with the `WANDB_*` environment: options win, then env, then defaults. */
export interface WandbSettings {
  readonly mode: WandbMode;
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly project: string;
  readonly entity: string | undefined;
  readonly displayName: string;
  readonly group: string | undefined;
  readonly notes: string | undefined;
  readonly tags: string[];
  readonly jobType: string | undefined;
  readonly runId: string | undefined;
  readonly timeoutMs: number;
  readonly username: string | undefined;
  readonly email: string | undefined;
  readonly silent: boolean;
}

const MODES: Record<string, WandbMode> = { online: 'online', run: 'online', shared: 'online', offline: 'offline', dryrun: 'offline', disabled: 'disabled' };

/** Resolves options + env; an unknown WANDB_MODE fails with KILN_WANDB_MODE_INVALID. */
export function resolveSettings(o: Partial<WandbOptions>, env: Readonly<Record<string, string | undefined>>, runName: string): WandbSettings {
  const e = (k: string): string | undefined => (env[k] === undefined || env[k] === '' ? undefined : env[k]);
  const rawMode = o.mode ?? e('WANDB_MODE') ?? 'online';
  const mode = MODES[rawMode.toLowerCase()];
  if (!mode) {
    throw new KilnError(WandbErrorCodes.MODE_INVALID, `WANDB_MODE '${rawMode}' is not one of online, offline, dryrun, disabled. Fix the variable or the wandb logger's 'mode' option.`);
  }
  const httpTimeout = Number(e('WANDB_HTTP_TIMEOUT'));
  return {
    mode,
    baseUrl: o.baseUrl ?? e('WANDB_BASE_URL') ?? 'https://api.wandb.ai',
    apiKey: e('WANDB_API_KEY')?.trim(),
    project: o.project ?? e('WANDB_PROJECT') ?? 'kiln',
    entity: o.entity ?? e('WANDB_ENTITY'),
    displayName: o.name ?? e('WANDB_NAME') ?? runName,
    group: o.group ?? e('WANDB_RUN_GROUP'),
    notes: o.notes ?? e('WANDB_NOTES'),
    tags: o.tags ?? (e('WANDB_TAGS') ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    jobType: o.jobType ?? e('WANDB_JOB_TYPE'),
    runId: o.runId ?? e('WANDB_RUN_ID'),
    timeoutMs: o.timeoutMs ?? (httpTimeout > 0 ? httpTimeout * 1000 : 20_000),
    username: e('WANDB_USERNAME'),
    email: e('WANDB_USER_EMAIL'),
    silent: /^(1|true|yes)$/i.test(e('WANDB_SILENT') ?? ''),
  };
}

/** A W&B run id: 8 characters from [a-z0-9], like the SDK's generate_id. */
export function generateRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: 8 }, () => alphabet[randomInt(36)]).join('');
}
