import { CoreErrorCodes, KilnError } from './errors.js';

/** Serialisable RNG state: four uint32 words of xoshiro128**. */
export type RngState = readonly [number, number, number, number];

/**
 * A small seeded RNG (xoshiro128**), fast, with a state that saves and restores exactly, so a
 * resumed run draws the same numbers. `fork(label)` derives an independent stream
 * (e.g. per epoch for shuffling) without advancing this one.
 * @example const rng = new Rng(42); rng.shuffle([1, 2, 3]); const s = rng.state(); rng.setState(s);
 */
export class Rng {
  #s = new Uint32Array(4);

  constructor(seed: number | string = 0) {
    let h = splitmix32(typeof seed === 'string' ? hashString(seed) : seed >>> 0 ^ Math.floor(seed / 2 ** 32));
    for (let i = 0; i < 4; i++) {
      h = splitmix32(h);
      this.#s[i] = h;
    }
    if ((this.#s[0] | this.#s[1] | this.#s[2] | this.#s[3]) === 0) this.#s[0] = 1;
  }

  /** Next uint32. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** An independent generator derived from this one's state and `label`; this one is not advanced. */
  fork(label: number | string): Rng {
    const r = new Rng(label);
    const s = r.#s;
    for (let i = 0; i < 4; i++) s[i] = splitmix32(s[i] ^ this.#s[i]);
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
    return r;
  }

  state(): RngState {
    return [this.#s[0], this.#s[1], this.#s[2], this.#s[3]];
  }

  setState(state: RngState): void {
    if (!Array.isArray(state) || state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff) ||
      state.every((w) => w === 0)) {
      throw new KilnError(CoreErrorCodes.RNG_STATE_INVALID, `RNG state must be four uint32 words, not all zero (got ${JSON.stringify(state)}).`);
    }
    this.#s.set(state);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function splitmix32(a: number): number {
  a = (a + 0x9e3779b9) >>> 0;
  let z = a;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
