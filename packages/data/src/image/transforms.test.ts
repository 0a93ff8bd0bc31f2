import { describe, expect, it } from 'vitest';
import ref from '../__fixtures__/reference.json' with { type: 'json' };
import type { Image } from './image.js';
import { centerCrop, crop, fit, letterbox, normalize, pad, resize, toChannels } from './transforms.js';

const img = (w: number, h: number, c: number, data: number[]): Image => ({ data: Float32Array.from(data), width: w, height: h, channels: c });

describe('transforms', () => {
  it('resize matches PyTorch interpolate (bilinear align_corners=False; nearest-exact) within 1e-6', () => {
    // Reference: tools/scripts/reference/data/gen_data_reference.py (torch, float64).
    for (const c of ref.resize) {
      const [h, w, ch] = c.input.shape;
      const out = resize(img(w, h, ch, c.input.data), c.size[1], c.size[0], c.mode === 'bilinear' ? 'bilinear' : 'nearest');
      expect([out.height, out.width, out.channels]).toEqual([c.size[0], c.size[1], ch]);
      out.data.forEach((v, i) => expect(Math.abs(v - c.output[i])).toBeLessThan(1e-6));
    }
  });

  it('crop / centerCrop / pad fill outside with the fill value', () => {
    const a = img(3, 2, 1, [1, 2, 3, 4, 5, 6]);
    expect(Array.from(crop(a, 1, 0, 2, 2).data)).toEqual([2, 3, 5, 6]);
    expect(Array.from(crop(a, 2, 1, 2, 2, -1).data)).toEqual([6, -1, -1, -1]);
    expect(Array.from(centerCrop(a, 1, 2).data)).toEqual([2, 5]);
    const p = pad(a, { left: 1, top: 1 }, 9);
    expect([p.width, p.height]).toEqual([4, 3]);
    expect(Array.from(p.data)).toEqual([9, 9, 9, 9, 9, 1, 2, 3, 9, 4, 5, 6]);
  });

  it('letterbox keeps the aspect ratio and pads; fit crop fills; fit stretch resizes', () => {
    const wide = img(4, 2, 1, new Array(8).fill(1));
    const lb = letterbox(wide, 4, 4, 'nearest');
    expect(Array.from(lb.data)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    const cr = fit(img(4, 2, 1, [1, 2, 3, 4, 5, 6, 7, 8]), 2, 2, 'crop', 'nearest');
    expect(Array.from(cr.data)).toEqual([2, 3, 6, 7]);
    expect(fit(wide, 3, 3, 'stretch').width).toBe(3);
  });

  it('normalize per channel and converts gray ↔ RGB', () => {
    const rgb = img(1, 1, 3, [0.5, 0.5, 0.5]);
    expect(Array.from(normalize(rgb, [0.5, 0.25, 0], [1, 0.5, 0.5]).data)).toEqual([0, 0.5, 1]);
    expect(() => normalize(rgb, [0, 0], [1])).toThrow(/normalize/);
    const g = toChannels(img(1, 1, 3, [1, 0.5, 0]), 1);
    expect(g.data[0]).toBeCloseTo(0.299 + 0.587 * 0.5, 6);
    expect(Array.from(toChannels(img(2, 1, 1, [0.1, 0.7]), 3).data)).toEqual(Array.from(Float32Array.from([0.1, 0.1, 0.1, 0.7, 0.7, 0.7])));
  });
});
