import { Rng } from './rng.js';

/**
 * Runs `fn` with `Math.random` drawing from `rng`, then restores it. tfjs draws weight
 * initialisers and dropout masks from `Math.random` when no per-op seed is given, so this makes
 * any model factory's initialisation (and dropout during a step) reproducible from the run seed.
 * Not re-entrant across concurrent async work: call it around synchronous code or one awaited run.
 * @example const model = withSeededRandom(new Rng(42).fork('init'), () => factory.create(options, ctx));
 */
export function withSeededRandom<T>(rng: Rng, fn: () => T): T {
  const original = Math.random;
  Math.random = () => rng.float();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

/** Installs `rng` as `Math.random` until the returned function is called (for a whole `fit`). */
export function installSeededRandom(rng: Rng): () => void {
  const original = Math.random;
  Math.random = () => rng.float();
  return () => {
    Math.random = original;
  };
}
