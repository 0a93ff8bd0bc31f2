#!/usr/bin/env node
// Provisions the native TensorFlow backend for CI and local runs, offline:
//   1. `pip download --no-deps tensorflow-cpu==2.21.0 -d <cache>` (pip resolves it from the local
//      wheel index on our machines; with internet, from PyPI);
//   2. installNative({ from: <wheel>, cwd: <workspace root>, save: false }) from
//      @kiln/plugin-backend-native (needs its dist: run the workspace build first).
// When pip or the wheel is unavailable it prints the reason and exits 0: the native tests then skip.
// A failure after the wheel was found exits 1 (that is a real regression).
// Env: KILN_SKIP_NATIVE=1 skips; KILN_TF_WHEEL_CACHE overrides the wheel folder; KILN_TF_VERSION (default 2.21.0).
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const t0 = performance.now();
const secs = () => ((performance.now() - t0) / 1000).toFixed(1);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const tfVersion = process.env.KILN_TF_VERSION ?? '2.21.0';
const cache = process.env.KILN_TF_WHEEL_CACHE ?? join(root, 'node_modules', '.cache', 'kiln-tf-wheel');
const say = (line) => console.log(`[native] ${line}`);
const skip = (why) => {
  say(`native backend NOT provisioned: ${why}. The native tests will skip.`);
  process.exit(0);
};

if (process.env.KILN_SKIP_NATIVE === '1') skip('KILN_SKIP_NATIVE=1');
const dist = join(root, 'plugins', 'backend-native', 'dist', 'index.js');
if (!existsSync(dist)) {
  say(`${dist} is missing: build first (npx nx run @kiln/plugin-backend-native:build).`);
  process.exit(1);
}
const { installNative, nativeBackend } = await import(dist);

const before = await nativeBackend('cpu', { searchPaths: [root] }).probe();
if (before.ok) {
  say(`already provisioned: ${before.detail} (${secs()} s)`);
  process.exit(0);
}

async function pipDownload() {
  const args = ['download', '--no-deps', '--retries', '1', '--timeout', '30', `tensorflow-cpu==${tfVersion}`, '-d', cache];
  for (const [cmd, pre] of [['pip3', []], ['pip', []], ['python3', ['-m', 'pip']]]) {
    try {
      await exec(cmd, [...pre, ...args], { maxBuffer: 32 << 20 });
      return;
    } catch (e) {
      if (e.code === 'ENOENT') continue;
      const lines = `${e.stderr ?? ''}`.trim().split('\n');
      throw new Error(`${cmd} ${pre.join(' ')} ${args.join(' ')} failed: ${lines.at(-1) ?? e.message}`);
    }
  }
  throw new Error('no pip found (pip3, pip, python3 -m pip)');
}

mkdirSync(cache, { recursive: true });
try {
  say(`pip download --no-deps tensorflow-cpu==${tfVersion} -d ${cache}`);
  await pipDownload();
} catch (e) {
  skip(e.message);
}
const wheel = readdirSync(cache).find((f) => f.startsWith(`tensorflow_cpu-${tfVersion}-`) && f.endsWith('.whl'));
if (!wheel) skip(`pip reported success but no tensorflow_cpu-${tfVersion}-*.whl is in ${cache}`);
say(`wheel ready after ${secs()} s: ${wheel}`);

try {
  const r = await installNative({ from: join(cache, wheel), cwd: root, save: false, log: (l) => say(`  ${l}`) });
  say(`provisioned ${r.package} on TensorFlow ${r.tfVersion} (${r.device}) from the ${r.source}, unpacked with ${r.extractor}: install ${r.seconds} s, total ${secs()} s`);
} catch (e) {
  say(`FAILED after ${secs()} s: ${e.code ?? ''} ${e.message}`);
  process.exit(1);
}
