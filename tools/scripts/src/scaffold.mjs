#!/usr/bin/env node
// Scaffolds a Kiln package or plugin folder: package.json, tsconfigs, vitest config, src/index.ts, README.
// Usage: node tools/scripts/src/scaffold.mjs <packages|plugins|apps> <folder> <@kiln/name> "<description>"
// Existing files are never overwritten.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [kind, folder, name, description = ''] = process.argv.slice(2);
if (!kind || !folder || !name) {
  console.error('usage: scaffold.mjs <packages|plugins|apps> <folder> <@kiln/name> "<description>"');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '../../..', kind, folder);
mkdirSync(join(root, 'src'), { recursive: true });
const write = (file, text) => {
  const p = join(root, file);
  if (!existsSync(p)) writeFileSync(p, text);
};
const isPlugin = kind === 'plugins';
write('package.json', JSON.stringify({
  name,
  version: '0.1.0',
  description,
  license: 'Apache-2.0',
  type: 'module',
  sideEffects: false,
  main: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    './package.json': './package.json',
    '.': {
      '@kiln/source': './src/index.ts',
      types: './dist/index.d.ts',
      import: './dist/index.js',
      default: './dist/index.js',
    },
  },
  files: ['dist', '!dist/**/*.test.*', '!dist/**/*.tsbuildinfo', 'README.md'],
  engines: { node: '>=20.19.0' },
  dependencies: {},
  peerDependencies: isPlugin ? { '@kiln/core-trainer': '^0.1.0' } : {},
  devDependencies: {},
}, null, 2) + '\n');
write('tsconfig.json', JSON.stringify({
  extends: '../../tsconfig.base.json',
  files: [],
  include: [],
  references: [{ path: './tsconfig.lib.json' }, { path: './tsconfig.spec.json' }],
}, null, 2) + '\n');
write('tsconfig.lib.json', JSON.stringify({
  extends: '../../tsconfig.base.json',
  compilerOptions: {
    rootDir: 'src',
    outDir: 'dist',
    tsBuildInfoFile: 'dist/tsconfig.lib.tsbuildinfo',
  },
  include: ['src/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/**/test-utils/**'],
  references: [],
}, null, 2) + '\n');
write('tsconfig.spec.json', JSON.stringify({
  extends: '../../tsconfig.base.json',
  compilerOptions: {
    outDir: './out-tsc/vitest',
    tsBuildInfoFile: './out-tsc/vitest/tsconfig.spec.tsbuildinfo',
    types: ['node'],
  },
  include: ['src/**/*.ts', 'test/**/*.ts', 'vitest.config.ts'],
  references: [{ path: './tsconfig.lib.json' }],
}, null, 2) + '\n');
write('vitest.config.ts', `import { kilnVitestConfig } from '@kiln/vitest-preset';\n\nexport default kilnVitestConfig(import.meta.dirname);\n`);
write('src/index.ts', `// Public surface of ${name}: an explicit list of named exports.\nexport {};\n`);
write('README.md', `# ${name}\n\n${description}\n\n\`\`\`sh\nnpm install ${name}\n\`\`\`\n`);
console.log(`scaffolded ${kind}/${folder} (${name})`);
