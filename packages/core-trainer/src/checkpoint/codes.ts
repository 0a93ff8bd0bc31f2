import type { KilnErrorCode } from '../errors.js';

/** Codes of the checkpoint module (to be merged into CoreErrorCodes by the lead). */
export const CheckpointErrorCodes = {
  CORRUPT: 'KILN_CHECKPOINT_CORRUPT', // a checkpoint file is missing, truncated or altered (named in the message): resume from another checkpoint (`latestCheckpoint` skips corrupt ones)
  NOT_FOUND: 'KILN_CHECKPOINT_NOT_FOUND', // no checkpoint (manifest.json) at the given path: pass a checkpoint directory or a run directory that has checkpoints/
  WRITE_FAILED: 'KILN_CHECKPOINT_WRITE_FAILED', // writing a checkpoint failed (disk full, permissions); the previous checkpoint is untouched: free space or fix the directory's permissions
} as const satisfies Record<string, KilnErrorCode>;
