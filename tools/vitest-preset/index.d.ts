import type { UserConfig } from 'vitest/config';
/** Vitest config for the Kiln project in `dir`, merged with `overrides`. */
export declare function kilnVitestConfig(dir: string, overrides?: UserConfig): UserConfig;
