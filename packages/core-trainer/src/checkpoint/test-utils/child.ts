import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const here = import.meta.dirname;
const srcRoot = resolve(here, '../..');
const repoModules = resolve(srcRoot, '../../../node_modules');

/**
 * Transpiles the checkpoint module (and errors.ts) to plain ESM in a temp dir whose node_modules
 * points at the workspace's, so a child `node` process can run the real code without a build.
 */
export async function buildChildModule(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'kiln-ckpt-child-'));
  await symlink(repoModules, join(out, 'node_modules'), 'dir');
  const files = ['errors.ts', ...(await readdir(join(srcRoot, 'checkpoint'))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `checkpoint/${f}`)];
  for (const f of files) {
    const source = await readFile(join(srcRoot, f), 'utf8');
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const dest = join(out, f.replace(/\.ts$/, '.js'));
    await mkdir(dirname(dest), { recursive: true });
    await writeFile(dest, js);
  }
  await writeFile(join(out, 'package.json'), '{"type":"module"}');
  await writeFile(join(out, 'child.mjs'), CHILD);
  return join(out, 'child.mjs');
}

// argv: <dir> <mode> — mode 'pause:<stage>' blocks forever at that stage; 'loop' rewrites `last` until killed.
const CHILD = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { writeCheckpoint } from './checkpoint/index.js';
await tf.setBackend('cpu');
const [dir, mode] = process.argv.slice(2);
const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 512, inputShape: [1024], kernelInitializer: 'zeros' })] });
const opt = (step) => ({ meta: { name: 'adam', t: step }, tensors: { 'm/w': tf.fill([256, 256], step) } });
const setStep = (step) => model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, step)));
const write = (id, step, onStage) => { setStep(step); return writeCheckpoint(dir + '/' + id, { model, optimizerState: opt(step), trainerState: { epoch: step, globalStep: step } }, { onStage }); };
await write('last', 1);
console.log('ready');
if (mode === 'loop') {
  for (let step = 2; ; step++) { await write('last', step); await write('step-' + step, step); console.log('wrote ' + step); }
}
const stage = mode.slice('pause:'.length);
const pause = async (s) => { if (s === stage) { console.log('at ' + s); await new Promise(() => setInterval(() => {}, 1000)); } };
await write('last', 2, pause);
console.log('done');
`;

/** Runs the child until `until` matches a stdout line, then SIGKILLs it `delayMs` later; resolves with its stdout. */
export function runAndKill(child: string, args: string[], until: (line: string) => boolean, delayMs = 0): Promise<string> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let armed = false;
    p.stderr.on('data', (d) => { err += d; });
    p.stdout.on('data', (d) => {
      out += d;
      if (!armed && out.split('\n').some(until)) {
        armed = true;
        setTimeout(() => p.kill('SIGKILL'), delayMs);
      }
    });
    p.on('exit', (code, signal) => (signal === 'SIGKILL' ? res(out) : rej(new Error(`child exited ${code} before the kill point:\n${out}\n${err}`))));
  });
}
