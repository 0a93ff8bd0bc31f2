// Exact resume under SIGKILL: a run killed at random moments (also while a checkpoint is being
// written) and resumed until it completes ends with the same weights, bit for bit, as a run never
// interrupted. Runs the built CLI (apps/cli/dist) in child processes, as a user would. A kill during
// the first checkpoint write leaves no complete checkpoint; the resume then restarts from step 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '@kiln/core-trainer';

const BIN = resolve(import.meta.dirname, '../bin/kiln.js');
const CONFIG = [
  'seed: 7', 'backend: wasm',
  'data: { name: shapes, task: segmentation, size: 48, valSize: 16, imageSize: 32, batchSize: 8 }',
  'model: { name: unet, depth: 2, baseFilters: 4, dropout: 0.2 }', 'loss: bce-dice', 'metrics: [dice]',
  'optimizer: { name: adamw, lr: 0.003, weightDecay: 0.01 }', 'schedule: cosine',
  'trainer: { maxEpochs: 3, numSanityValSteps: 0, accumulateGradBatches: 2, logEveryNSteps: 2 }',
  'callbacks: [{ name: model-checkpoint, saveLast: true, saveTopK: -1, everyNSteps: 1 }]',
].join('\n');

function start(cwd: string, args: string[], command = 'train'): { child: ChildProcess; done: Promise<number | null>; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, [BIN, command, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const done = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, done, output: () => out };
}

describe.skipIf(!existsSync(resolve(import.meta.dirname, '../dist/main.js')))('kiln train --resume after SIGKILL', () => {
  it('ends with weights identical to the uninterrupted run', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kiln-resume-'));
    writeFileSync(join(cwd, 'run.yaml'), CONFIG);
    const ref = start(cwd, ['--config', 'run.yaml', 'name=ref']);
    expect(await ref.done, ref.output()).toBe(0);

    const rng = new Rng(Date.now() % 100000);
    const first = start(cwd, ['--config', 'run.yaml', 'name=killed']);
    let kills = 0;
    let current = first;
    // Kills follow the run's progress, not the clock (a whole run takes ~2 s here, longer under load):
    // each kill lands a random 1–3 optimizer steps after the previous one, plus a random 0–60 ms, so
    // some land while the next checkpoint is being written. 9 steps in all.
    const newestStep = (): number => {
      const dir = join(cwd, 'runs', 'killed', 'checkpoints');
      if (!existsSync(dir)) return 0;
      return Math.max(0, ...readdirSync(dir).map((n) => Number(/step=(\d+)/.exec(n)?.[1] ?? 0)));
    };
    let exited = false;
    for (let target = 1 + rng.int(3); target < 9; target += 1 + rng.int(3)) {
      exited = false;
      current.done.then(() => { exited = true; });
      while (!exited && newestStep() < target) await new Promise((r) => setTimeout(r, 10));
      if (exited) break;
      await new Promise((r) => setTimeout(r, rng.int(61)));
      current.child.kill('SIGKILL');
      await current.done;
      kills += 1;
      current = start(cwd, ['--resume', 'runs/killed']);
    }
    const code = await current.done;
    expect(code, current.output()).toBe(0);
    console.log(`resume test: ${kills} SIGKILLs, resumed each time`);
    expect(kills).toBeGreaterThan(0);
    const a = readFileSync(join(cwd, 'runs', 'ref', 'model', 'weights.bin'));
    const b = readFileSync(join(cwd, 'runs', 'killed', 'model', 'weights.bin'));
    expect(b.equals(a)).toBe(true);
    // history.jsonl survived every kill: complete JSON lines only, epoch records for all 3 epochs.
    const lines = readFileSync(join(cwd, 'runs', 'killed', 'history.jsonl'), 'utf8').split('\n').filter(Boolean);
    const refLines = readFileSync(join(cwd, 'runs', 'ref', 'history.jsonl'), 'utf8').split('\n').filter(Boolean);
    const strip = (l: string) => { const { time: _t, epoch_time_s: _e, ...rest } = JSON.parse(l); return rest; };
    expect(lines.map(strip)).toEqual(refLines.map(strip));

    // kiln verify-resume replays from the second-newest step checkpoint and must land on the newest exactly.
    const verify = start(cwd, ['runs/killed'], 'verify-resume');
    expect(await verify.done, verify.output()).toBe(0);
    expect(verify.output()).toMatch(/resume verified: the replay from \S+ reproduces \S+ exactly/);
  });
});
