#!/usr/bin/env node
// Checks that every publishable package installs and works on its own, as a user gets it:
// 1. `npm pack` each package/plugin/app (after a build) and check that every bare import in its
//    dist/ is declared in dependencies or peerDependencies (nothing relies on the monorepo's hoisting);
// 2. install @kiln/core-trainer + @kiln/losses into an empty temporary project and use them;
// 3. install @kiln/core-trainer + @kiln/plugin-model-unet separately, and build and run a UNet.
// Exits non-zero with what is wrong. Needs the npm registry for tfjs (as a user's install does).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const problems = [];
const work = mkdtempSync(join(tmpdir(), 'kiln-pack-'));
const TF = '4.22.0';

console.log('build: nx run-many -t build');
run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], root);

const projects = ['packages', 'plugins', 'apps'].flatMap((d) => readdirSync(join(root, d)).map((n) => join(root, d, n)))
  .filter((dir) => { try { return !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private; } catch { return false; } });

const tarballs = {};
for (const dir of projects) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), pkg.name]);
  for (const file of walk(join(dir, 'dist')).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec || spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!declared.has(name)) problems.push(`${pkg.name}: ${file.slice(dir.length + 1)} imports '${name}', which package.json does not declare`);
    }
  }
  const out = run('npm', ['pack', '--silent', '--pack-destination', work], dir).trim().split('\n').pop();
  tarballs[pkg.name] = join(work, out);
  const listed = run('tar', ['-tzf', tarballs[pkg.name]], work);
  if (!listed.includes('package/dist/index.js') || !listed.includes('package/dist/index.d.ts')) problems.push(`${pkg.name}: the tarball lacks dist/index.js or dist/index.d.ts`);
  if (/package\/src\//.test(listed) || /\.test\.(js|d\.ts)/.test(listed)) problems.push(`${pkg.name}: the tarball ships sources or tests`);
  console.log(`packed ${pkg.name} (${(statSync(tarballs[pkg.name]).size / 1024).toFixed(0)} KiB)`);
}

function consumer(name, deps, script) {
  const dir = join(work, name);
  run('mkdir', ['-p', dir], work);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...deps], dir);
  writeFileSync(join(dir, 'main.mjs'), script);
  try {
    const out = run('node', ['main.mjs'], dir);
    console.log(`${name}: ${out.trim()}`);
  } catch (e) {
    problems.push(`${name}: ${e.stderr || e.message}`);
  }
}

consumer('uses-losses', [tarballs['@kiln/core-trainer'], tarballs['@kiln/losses'], `@tensorflow/tfjs-core@${TF}`, `@tensorflow/tfjs-layers@${TF}`, `@tensorflow/tfjs-backend-cpu@${TF}`], `
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { KilnError, Rng } from '@kiln/core-trainer';
import { CrossEntropyLoss } from '@kiln/losses';
await tf.setBackend('cpu');
const loss = new CrossEntropyLoss({ fromLogits: true }).compute(tf.tensor1d([0, 1], 'int32'), tf.tensor2d([[2, 0], [0, 2]]));
const v = (await loss.data())[0];
if (!(Math.abs(v - Math.log(1 + Math.exp(-2))) < 1e-5)) throw new Error('unexpected loss ' + v);
if (!(new KilnError('KILN_X', 'x') instanceof Error) || new Rng(1).int(10) < 0) throw new Error('core exports broken');
console.log('cross-entropy', v.toFixed(6));
`);

consumer('uses-unet-plugin', [tarballs['@kiln/core-trainer'], tarballs['@kiln/plugin-model-unet'], `@tensorflow/tfjs-core@${TF}`, `@tensorflow/tfjs-layers@${TF}`, `@tensorflow/tfjs-backend-cpu@${TF}`], `
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { PluginHost } from '@kiln/core-trainer';
import unet from '@kiln/plugin-model-unet';
import { container } from 'tsyringe';
await tf.setBackend('cpu');
const host = new PluginHost(container.createChildContainer()).use(unet, '@kiln/plugin-model-unet');
await host.setup();
const f = host.registries.models.get('unet');
const model = f.create(f.schema.parse({ depth: 2, baseFilters: 4 }), { inputShape: [32, 32, 1], numClasses: 1, task: 'segmentation' });
const y = model.predict(tf.zeros([1, 32, 32, 1]));
console.log('unet output', y.shape.join('x'), model.countParams(), 'parameters');
`);

rmSync(work, { recursive: true, force: true });
if (problems.length) {
  console.error(`check-pack: ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('check-pack: every package packs alone; core-trainer + losses and the UNet plugin install and run in empty projects');

function walk(dir) {
  try {
    return readdirSync(dir).flatMap((n) => { const p = join(dir, n); return statSync(p).isDirectory() ? walk(p) : [p]; });
  } catch { return []; }
}
