// Checks our event files with real TensorBoard (EventAccumulator), via
// tools/scripts/reference/tensorboard/check_events.py. Needs a python with the `tensorboard` wheel:
// $KILN_TB_PYTHON, else <repo>/.venv-tb/bin/python, else /tmp/venv-tb/bin/python; skips (saying why) without one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeSampleRun } from './test-utils/sample-run.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const script = join(repo, 'tools/scripts/reference/tensorboard/check_events.py');

function findPython(): { python?: string; reason: string } {
  const candidates = [process.env.KILN_TB_PYTHON, join(repo, '.venv-tb/bin/python'), '/tmp/venv-tb/bin/python'].filter((p): p is string => !!p);
  for (const p of candidates) {
    if (!existsSync(p)) continue;
    const r = spawnSync(p, ['-c', 'import tensorboard; print(tensorboard.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python: p, reason: `tensorboard ${r.stdout.trim()} at ${p}` };
  }
  return { reason: `no python with tensorboard (tried ${candidates.join(', ')}); create one with: python3 -m venv .venv-tb && .venv-tb/bin/pip install tensorboard` };
}

const { python, reason } = findPython();
if (!python) console.warn(`[skip] TensorBoard reference check: ${reason}`);

function check(runDir: string, expectedPath: string): { status: number | null; result: { ok: boolean; checked: number; errors: string[] } } {
  const r = spawnSync(python!, [script, runDir, expectedPath], { encoding: 'utf8' });
  if ((r.status !== 0 && r.status !== 1) || !r.stdout.trim()) throw new Error(`check_events.py failed (${r.status}): ${r.stderr}`);
  return { status: r.status, result: JSON.parse(r.stdout.trim().split('\n').at(-1)!) };
}

describe.skipIf(!python)(`TensorBoard reads our event files (${reason})`, () => {
  it('EventAccumulator sees every scalar, image, histogram, text and hparam exactly', async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'kiln-tbref-')), 'tensorboard');
    const expected = await writeSampleRun(runDir);
    const expectedPath = join(runDir, '..', 'expected.json');
    writeFileSync(expectedPath, JSON.stringify(expected));
    const { status, result } = check(runDir, expectedPath);
    expect(result.errors).toEqual([]);
    expect(status).toBe(0);
    expect(result.checked).toBeGreaterThan(100);
    console.info(`TensorBoard reference: ${result.checked} checks passed (${reason})`);

    // The check can fail: a single scalar off by one float32 ulp is caught.
    const loss = expected.scalars.loss!;
    loss[2] = [loss[2]![0], Math.fround(Number(loss[2]![1]) * (1 + 2 ** -22))];
    writeFileSync(expectedPath, JSON.stringify(expected));
    const bad = check(runDir, expectedPath);
    expect(bad.status).toBe(1);
    expect(bad.result.errors.join('\n')).toMatch(/^loss step 3/m);
  });
});
