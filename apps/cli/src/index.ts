// Public surface of @kiln/cli: the programmatic entry and the config schema (for editors and tools).
export { main } from './main.js';
export { runConfigSchema, BACKEND_NAMES, type RunConfig, type RunConfigInput } from './config/schema.js';
export { loadConfig, applyOverride, ConfigErrorCodes } from './config/load.js';
export { DEFAULT_CONFIG } from './config/default-config.js';
export { ExitCode } from './internal/exit-codes.js';
export type { Io } from './internal/output.js';
