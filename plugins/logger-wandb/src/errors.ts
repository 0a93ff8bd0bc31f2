import type { KilnErrorCode } from '@kiln/core-trainer';

/**
 * Error codes owned by @kiln/plugin-logger-wandb.
 * @example if (isKilnError(e, WandbErrorCodes.NO_API_KEY)) console.error('export WANDB_API_KEY')
 */
export const WandbErrorCodes = {
  NO_API_KEY: 'KILN_WANDB_NO_API_KEY', // W&B is online but WANDB_API_KEY is not set: export WANDB_API_KEY, or set WANDB_MODE=offline and run `kiln sync <run dir>` later
  MODE_INVALID: 'KILN_WANDB_MODE_INVALID', // WANDB_MODE (or the `mode` option) is not online, offline, dryrun or disabled: fix the value
  STATE_INVALID: 'KILN_WANDB_STATE_INVALID', // runs/<name>/outbox/wandb/state.json is missing or unreadable while events wait to be synced: the run directory is incomplete; restore that file from a backup
} as const satisfies Record<string, KilnErrorCode>;
