import type { KilnErrorCode } from '../errors.js';

/** Codes of backend selection and kernel preflight (src/backend). */
export const BackendErrorCodes = {
  BACKEND_MISSING_KERNEL: 'KILN_BACKEND_MISSING_KERNEL', // the training step uses kernels the chosen backend does not register (listed with the backends that have them): pick one of those backends or load the plugin that adds the kernels
  BACKEND_UNAVAILABLE: 'KILN_BACKEND_UNAVAILABLE', // the requested backend (or, under 'auto', every backend) cannot load here: the message gives each reason and the command that fixes it
  BACKEND_UNKNOWN: 'KILN_BACKEND_UNKNOWN', // 'backend' names no registered backend: use one the message lists or load the plugin that provides it
} as const satisfies Record<string, KilnErrorCode>;
