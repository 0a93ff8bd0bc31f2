import type { Rng } from '../rng.js';

/**
 * log of a Gamma(shape, 1) draw (Marsaglia & Tsang 2000; for shape < 1 the boost
 * Gamma(a) = Gamma(a + 1)·U^(1/a), kept in log space so small shapes never underflow to 0).
 */
function logGamma(rng: Rng, shape: number): number {
  if (shape < 1) return logGamma(rng, shape + 1) + Math.log(1 - rng.float()) / shape;
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.float(); // (0, 1]
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return Math.log(d * v);
  }
}

/**
 * A draw from Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b) — what numpy's and
 * PyTorch's samplers compute — deterministic for a given `rng` state.
 * @example const lambda = sampleBeta(new Rng(1), 0.4, 0.4); // mixup's λ
 */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const lx = logGamma(rng, a);
  const ly = logGamma(rng, b);
  return 1 / (1 + Math.exp(ly - lx));
}
