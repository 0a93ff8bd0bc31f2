import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestCheckpoint, listCheckpoints, readCheckpoint } from './index.js';
import { buildChildModule, runAndKill } from './test-utils/child.js';

// A child process writes checkpoint `last` at step 1, then is SIGKILLed while replacing it with
// step 2 (at a chosen stage, or at a random moment of a write loop). The step-1 checkpoint (or a
// complete later one) must remain loadable; a partial one must never be listed or loaded.
let child: string;
let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  child = await buildChildModule();
  root = await mkdtemp(join(tmpdir(), 'kiln-crash-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(join(child, '..'), { recursive: true, force: true });
});

async function stepOf(dir: string): Promise<number> {
  const ckpt = await readCheckpoint(dir);
  const step = (ckpt.trainerState as { globalStep: number }).globalStep;
  const w = await ckpt.model.getWeights()[0].data();
  expect(w.every((v) => v === step)).toBe(true); // weights belong to the same step as the state
  expect(await ckpt.optimizerState!.tensors['m/w'].data()).toEqual(new Float32Array(256 * 256).fill(step));
  return step;
}

describe('a checkpoint write killed with SIGKILL', () => {
  for (const stage of ['temp-created', 'files-written', 'manifest-written'] as const) {
    it(`at '${stage}' leaves the previous checkpoint intact and the partial one unlisted`, async () => {
      const dir = join(root, stage);
      await runAndKill(child, [dir, `pause:${stage}`], (l) => l === `at ${stage}`);
      expect(await stepOf(join(dir, 'last'))).toBe(1);
      const { checkpoints, skipped } = await listCheckpoints('', { dir });
      expect(checkpoints.map((c) => [c.id, c.manifest.globalStep])).toEqual([['last', 1]]);
      expect(skipped.map((s) => s.reason)).toEqual(['incomplete']);
      expect((await readdir(dir)).length).toBe(2);
    });
  }

  it('between moving the old copy aside and renaming the new one, recovers the old copy', async () => {
    const dir = join(root, 'aside');
    await runAndKill(child, [dir, 'pause:old-moved-aside'], (l) => l === 'at old-moved-aside');
    expect((await readdir(dir)).some((n) => n === 'last')).toBe(false);
    const { checkpoint } = await latestCheckpoint('', { dir });
    expect(checkpoint).toMatchObject({ id: 'last', recovered: true });
    expect(await stepOf(checkpoint!.path)).toBe(1);
  });

  it('at random moments of a write loop never yields a partial checkpoint', async () => {
    for (const [i, delay] of [15, 60, 140, 230].entries()) {
      const dir = join(root, `loop-${i}`);
      const out = await runAndKill(child, [dir, 'loop'], (l) => l === 'ready', delay);
      const written = Math.max(1, ...out.split('\n').filter((l) => l.startsWith('wrote ')).map((l) => Number(l.slice(6))));
      const { checkpoint, skipped } = await latestCheckpoint('', { dir });
      expect(checkpoint).toBeDefined();
      const step = await stepOf(checkpoint!.path);
      // the newest complete checkpoint is at least the last one the child reported, at most one write beyond it
      expect(step).toBeGreaterThanOrEqual(written);
      expect(step).toBeLessThanOrEqual(written + 1);
      expect(skipped.every((s) => s.reason !== 'corrupt')).toBe(true);
    }
  });
});
