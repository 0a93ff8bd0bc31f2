import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is reproducible from its seed and from a saved state', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    expect(Array.from({ length: 5 }, () => a.nextUint32())).toEqual(Array.from({ length: 5 }, () => b.nextUint32()));
    const s = a.state();
    const next = Array.from({ length: 5 }, () => a.float());
    const c = new Rng(0);
    c.setState(s);
    expect(Array.from({ length: 5 }, () => c.float())).toEqual(next);
    expect(new Rng(43).nextUint32()).not.toBe(new Rng(42).nextUint32());
  });

  it('draws uniform floats, ints and normals with the right moments (n = 20000, 3-sigma bounds)', () => {
    const r = new Rng(7);
    const n = 20000;
    const u = Array.from({ length: n }, () => r.float());
    const mean = u.reduce((s, x) => s + x, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(3 * Math.sqrt(1 / 12 / n));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const z = Array.from({ length: n }, () => r.normal());
    const zm = z.reduce((s, x) => s + x, 0) / n;
    const zv = z.reduce((s, x) => s + (x - zm) ** 2, 0) / n;
    expect(Math.abs(zm)).toBeLessThan(3 / Math.sqrt(n));
    expect(Math.abs(zv - 1)).toBeLessThan(0.05);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[r.int(3)]++;
    counts.forEach((c) => expect(Math.abs(c - 1000)).toBeLessThan(3 * Math.sqrt(3000 * (1 / 3) * (2 / 3))));
  });

  it('forks independent streams without advancing the parent, and shuffles to a permutation', () => {
    const r = new Rng(1);
    const before = r.state();
    const f1 = r.fork(1);
    const f2 = r.fork(2);
    expect(r.state()).toEqual(before);
    expect(f1.nextUint32()).not.toBe(f2.nextUint32());
    expect(new Rng(1).fork(1).nextUint32()).toBe(new Rng(1).fork(1).nextUint32());
    const p = r.shuffle([...Array(50).keys()]);
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(p).not.toEqual([...Array(50).keys()]);
  });

  it('rejects a damaged state with its code', () => {
    expect(() => new Rng(1).setState([0, 0, 0, 0])).toThrow(expect.objectContaining({ code: 'KILN_RNG_STATE_INVALID' }));
    expect(() => new Rng(1).setState([1, 2, 3] as never)).toThrow(expect.objectContaining({ code: 'KILN_RNG_STATE_INVALID' }));
  });
});
