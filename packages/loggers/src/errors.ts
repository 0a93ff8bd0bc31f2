import type { KilnErrorCode } from '@kiln/core-trainer';

/** Error codes owned by @kiln/loggers. */
export const LoggerErrorCodes = {
  OUTBOX_OPEN: 'KILN_LOGGER_OUTBOX_OPEN', // the outbox folder cannot be created or read: check the run directory's permissions and free space
  OUTBOX_LOCKED: 'KILN_LOGGER_OUTBOX_LOCKED', // another live process (training or `kiln sync`) has this outbox open: wait for it to end, or stop it
  FILE_WRITE: 'KILN_LOGGER_FILE_WRITE', // a history file (JSONL/CSV) cannot be written: check the path, permissions and free space
} as const satisfies Record<string, KilnErrorCode>;
