import { readFileSync } from 'node:fs';
import type { ScheduleContext } from '@kiln/core-trainer';
import { describe, expect, it } from 'vitest';
import { scheduleFactories } from '../src/index.js';

interface ScheduleCase {
  name: string; schedule: keyof typeof scheduleFactories; options: Record<string, unknown>;
  context: ScheduleContext; metrics: number[] | null; expected: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/schedulers.json', import.meta.url), 'utf8')) as { cases: ScheduleCase[] };

/** Agreement within 1e-5 relative; 1e-12 absolute for LRs that are (near) zero (PyTorch's recursive forms round differently there). */
function expectSequence(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (!(Math.abs(a - expected[i]) <= 1e-5 * Math.abs(expected[i]) + 1e-12)) expect.fail(`step ${i}: got ${a}, PyTorch ${expected[i]}`);
  });
}

const make = (c: ScheduleCase) => {
  const f = scheduleFactories[c.schedule];
  return f.create(f.schema.parse(c.options) as never, c.context);
};

describe('LR sequences equal torch.optim.lr_scheduler', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const s = make(c);
    const lrs = [s.lr];
    for (let i = 0; i < c.expected.length - 1; i++) {
      s.step(c.metrics?.[i]);
      lrs.push(s.lr);
    }
    expectSequence(lrs, c.expected);
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s: resumes from saved state halfway', (_name, c) => {
    const half = Math.floor((c.expected.length - 1) / 2);
    const a = make(c);
    for (let i = 0; i < half; i++) a.step(c.metrics?.[i]);
    const b = make(c);
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
    const lrs = [b.lr];
    for (let i = half; i < c.expected.length - 1; i++) {
      b.step(c.metrics?.[i]);
      lrs.push(b.lr);
    }
    expectSequence(lrs, c.expected.slice(half));
  });
});
