import { Rng } from '@kiln/core-trainer';
import { z } from 'zod';
import type { Image } from '../image/image.js';
import { type Affine, compose, IDENTITY, invert, isIdentity, warpAffine } from './affine.js';
import { addGaussianNoise, adjustColour, clamp01, gaussianBlur } from './photometric.js';

const range = z.tuple([z.number(), z.number()]).refine(([a, b]) => a <= b, 'range must be [low, high] with low ≤ high');
const prob = z.number().min(0).max(1);

/** Augmentation settings; every field is optional and off when absent. */
export const augmentConfigSchema = z.strictObject({
  hflip: prob.optional().describe('probability of a horizontal flip'),
  vflip: prob.optional().describe('probability of a vertical flip'),
  rotate: z.number().min(0).max(180).optional().describe('max rotation in degrees (±)'),
  scale: range.optional().describe('zoom factor range, e.g. [0.9, 1.1]'),
  translate: z.number().min(0).max(1).optional().describe('max shift as a fraction of the size (±)'),
  shear: z.number().min(0).max(45).optional().describe('max shear in degrees (±)'),
  randomResizedCrop: z.strictObject({ scale: range.default([0.08, 1]), ratio: range.default([3 / 4, 4 / 3]) }).optional(),
  brightness: z.number().min(0).max(1).optional().describe('max added brightness (±), images in [0, 1]'),
  contrast: z.number().min(0).max(1).optional().describe('max relative contrast change (±)'),
  gamma: range.optional().describe('gamma range, e.g. [0.8, 1.25]'),
  noise: z.strictObject({ std: z.number().min(0), p: prob.default(1) }).optional(),
  blur: z.strictObject({ sigma: range, p: prob.default(1) }).optional(),
});
export type AugmentConfig = z.input<typeof augmentConfigSchema>;

export type AugmentPreset = 'none' | 'light' | 'medium' | 'heavy';

/** The presets: geometric and photometric strength grows from light to heavy. */
export const AUGMENT_PRESETS: Readonly<Record<AugmentPreset, AugmentConfig>> = {
  none: {},
  light: { hflip: 0.5, rotate: 10, scale: [0.9, 1.1], brightness: 0.1, contrast: 0.1 },
  medium: {
    hflip: 0.5, rotate: 20, scale: [0.85, 1.15], translate: 0.1, brightness: 0.2, contrast: 0.2, gamma: [0.8, 1.25],
    noise: { std: 0.02, p: 0.3 }, blur: { sigma: [0.3, 1], p: 0.1 },
  },
  heavy: {
    hflip: 0.5, vflip: 0.5, rotate: 45, translate: 0.15, shear: 10, randomResizedCrop: { scale: [0.5, 1], ratio: [3 / 4, 4 / 3] },
    brightness: 0.3, contrast: 0.3, gamma: [0.7, 1.4], noise: { std: 0.05, p: 0.5 }, blur: { sigma: [0.5, 1.5], p: 0.3 },
  },
};

/** Schema accepting a preset name or a config object. */
export const augmentSchema = z.union([z.enum(['none', 'light', 'medium', 'heavy']), augmentConfigSchema]);

/** Resolves a preset name or config to a validated config. @example resolveAugment('light') */
export function resolveAugment(a: AugmentPreset | AugmentConfig | undefined): AugmentConfig {
  return augmentConfigSchema.parse(typeof a === 'string' ? AUGMENT_PRESETS[a] : (a ?? {}));
}

const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.float();
const rad = (deg: number): number => (deg * Math.PI) / 180;

/** The inverse geometric map (output pixel → input point) of one draw, for a W×H image kept at W×H. */
export function drawGeometry(cfg: AugmentConfig, rng: Rng, W: number, H: number): Affine {
  let fwd: Affine = IDENTITY;
  const rrc = cfg.randomResizedCrop;
  if (rrc) {
    const [smin, smax] = rrc.scale ?? [0.08, 1];
    const [rmin, rmax] = rrc.ratio ?? [3 / 4, 4 / 3];
    for (let t = 0; t < 10; t++) {
      const area = W * H * uniform(rng, smin, smax);
      const ratio = Math.exp(uniform(rng, Math.log(rmin), Math.log(rmax)));
      const w = Math.sqrt(area * ratio);
      const h = Math.sqrt(area / ratio);
      if (w <= W && h <= H) {
        const x0 = uniform(rng, 0, W - w);
        const y0 = uniform(rng, 0, H - h);
        fwd = [W / w, 0, (-x0 * W) / w, 0, H / h, (-y0 * H) / h];
        break;
      }
    }
  }
  const th = cfg.rotate ? rad(uniform(rng, -cfg.rotate, cfg.rotate)) : 0;
  const s = cfg.scale ? uniform(rng, cfg.scale[0], cfg.scale[1]) : 1;
  const sh = cfg.shear ? Math.tan(rad(uniform(rng, -cfg.shear, cfg.shear))) : 0;
  const tx = cfg.translate ? uniform(rng, -cfg.translate, cfg.translate) * W : 0;
  const ty = cfg.translate ? uniform(rng, -cfg.translate, cfg.translate) * H : 0;
  if (th || s !== 1 || sh || tx || ty) {
    const cos = Math.cos(th) * s;
    const sin = Math.sin(th) * s;
    // Linear part R(θ)·s·Shear about the centre, then the shift.
    const a = cos, b = cos * sh - sin, d = sin, e = sin * sh + cos;
    const cx = W / 2, cy = H / 2;
    fwd = compose([a, b, cx - a * cx - b * cy + tx, d, e, cy - d * cx - e * cy + ty], fwd);
  }
  if (cfg.hflip && rng.float() < cfg.hflip) fwd = compose([-1, 0, W, 0, 1, 0], fwd);
  if (cfg.vflip && rng.float() < cfg.vflip) fwd = compose([1, 0, 0, 0, -1, H], fwd);
  return invert(fwd);
}

/** Brightness, contrast, gamma, noise and blur of one draw; returns a new image clamped to [0, 1]. */
export function applyPhotometric(img: Image, cfg: AugmentConfig, rng: Rng): Image {
  let out = img;
  const delta = cfg.brightness ? uniform(rng, -cfg.brightness, cfg.brightness) : 0;
  const factor = cfg.contrast ? uniform(rng, 1 - cfg.contrast, 1 + cfg.contrast) : 1;
  const gamma = cfg.gamma ? uniform(rng, cfg.gamma[0], cfg.gamma[1]) : 1;
  if (cfg.brightness || cfg.contrast || cfg.gamma) out = adjustColour(out, delta, factor, gamma);
  if (cfg.noise && rng.float() < (cfg.noise.p ?? 1)) out = addGaussianNoise(out, cfg.noise.std, rng);
  if (cfg.blur && rng.float() < (cfg.blur.p ?? 1)) out = gaussianBlur(out, uniform(rng, cfg.blur.sigma[0], cfg.blur.sigma[1]));
  return out === img ? img : clamp01(out);
}

/**
 * Augments an image (values in [0, 1]) and optionally its mask with one seeded draw: the mask gets
 * the same geometric transform with nearest-neighbour sampling (outside → 0, background) and no
 * photometric change. Output sizes equal input sizes.
 * @example const { image, mask } = augment(img, m, resolveAugment('medium'), new Rng(1).fork('aug:0:17'));
 */
export function augment(image: Image, mask: Image | undefined, cfg: AugmentConfig, rng: Rng): { image: Image; mask?: Image } {
  const inv = drawGeometry(cfg, rng, image.width, image.height);
  const geo = !isIdentity(inv);
  const img = geo ? warpAffine(image, inv, image.width, image.height, 'bilinear') : image;
  const m = mask && geo ? warpAffine(mask, inv, mask.width, mask.height, 'nearest') : mask;
  return { image: applyPhotometric(img, cfg, rng), mask: m };
}

/** The seeded stream used for sample `index` in `epoch`: depends only on (seed, epoch, index). */
export function augmentRng(seed: number, epoch: number, index: number): Rng {
  return new Rng(seed).fork(`aug:${epoch}:${index}`);
}
