import { describe, expect, it } from 'vitest';
import { ProgressBar } from './progress-bar.js';
import { fakeRun } from './test-utils/context.js';

function tty(isTTY: boolean) {
  const s = { isTTY, columns: 120, text: '', write(t: string) { s.text += t; return true; } };
  return s;
}

function epoch(bar: ProgressBar, clock: { t: number }, steps: number, msPerStep: number) {
  const run = fakeRun({ state: { epoch: 1, globalStep: 0, batchInEpoch: 0, maxEpochs: 4, batchesPerEpoch: steps } });
  bar.onEpochBegin();
  for (let b = 1; b <= steps; b++) {
    clock.t += msPerStep;
    run.state = { ...run.state, globalStep: b, batchInEpoch: b };
    run.logs = b % 5 === 0 ? { loss: 1 / b } : {};
    bar.onBatchEnd(run.ctx());
  }
  run.logs = { loss: 0.05, val_loss: 0.1 };
  bar.onEpochEnd(run.ctx());
}

describe('ProgressBar', () => {
  it('redraws one live line on a TTY with bar, it/s, ETA and metrics, in colour, then a permanent epoch line', () => {
    const out = tty(true);
    const clock = { t: 0 };
    const bar = new ProgressBar({ stream: out, env: {}, now: () => clock.t, refreshMs: 100 });
    epoch(bar, clock, 20, 50); // a redraw every other step
    expect(bar.live && bar.color).toBe(true);
    const frames = out.text.split('\r\x1b[2K').filter(Boolean);
    expect(frames).toHaveLength(11); // 10 throttled redraws + the epoch line
    expect(frames[4]).toBe('epoch 2/4  \x1b[32m━━━━━━━━━╸──────────\x1b[0m  9/20  20.0it/s  ETA 0.6s  loss 0.200'); // drawn at steps 1, 3, 5, 7, 9…
    expect(frames.at(-1)).toBe('epoch 2/4  loss 0.050  val_loss 0.100  1.0s  ETA 2.0s\n');
    expect(out.text.split('\n')).toHaveLength(2);
  });

  it('respects NO_COLOR on a TTY', () => {
    const out = tty(true);
    const clock = { t: 0 };
    const bar = new ProgressBar({ stream: out, env: { NO_COLOR: '1' }, now: () => clock.t });
    epoch(bar, clock, 10, 50);
    expect(bar.live).toBe(true);
    expect(out.text).not.toMatch(/\x1b\[3\dm/);
    expect(out.text).toContain('━');
  });

  for (const [why, isTTY, env] of [['not a TTY', false, {}], ['CI=true', true, { CI: 'true' }]] as const) {
    it(`prints plain periodic lines when ${why}`, () => {
      const out = tty(isTTY);
      const clock = { t: 0 };
      const bar = new ProgressBar({ stream: out, env, now: () => clock.t, printEverySec: 1 });
      epoch(bar, clock, 20, 120); // 2.4 s: lines at 1.08 s and 2.16 s
      expect(bar.live).toBe(false);
      expect(out.text).not.toContain('\r');
      expect(out.text).not.toContain('\x1b');
      const lines = out.text.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^epoch 2\/4  ━+╸─+  9\/20  8\.3it\/s  ETA 1\.3s  loss 0\.200$/);
      expect(lines[2]).toBe('epoch 2/4  loss 0.050  val_loss 0.100  2.4s  ETA 4.8s');
    });
  }
});
