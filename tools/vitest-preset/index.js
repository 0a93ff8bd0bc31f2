// Shared vitest configuration. Workspace packages resolve to their TypeScript sources through the
// `@kiln/source` export condition, so tests never need a build first.
import { fileURLToPath } from 'node:url';
import { defaultServerConditions } from 'vite';
import { defineConfig, mergeConfig } from 'vitest/config';

const setup = fileURLToPath(new URL('./setup.js', import.meta.url));
const conditions = ['@kiln/source', ...defaultServerConditions];

/** @param {string} dir the project folder @param {import('vitest/config').UserConfig} [overrides] */
export function kilnVitestConfig(dir, overrides = {}) {
  return mergeConfig(
    defineConfig({
      root: dir,
      resolve: { conditions },
      ssr: { resolve: { conditions, externalConditions: ['@kiln/source'] } },
      test: {
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        setupFiles: [setup],
        testTimeout: 120_000,
        hookTimeout: 120_000,
        pool: 'forks',
        maxWorkers: 2,
        reporters: process.env.CI ? ['default'] : ['default'],
      },
    }),
    overrides,
  );
}
