// Writes a small but complete TensorBoard run (two writers: an interrupted one and its resume) and
// returns exactly what a reader must see, in the format tools/scripts/reference/tensorboard expects.
import type { LoggedImage } from '@kiln/core-trainer';
import { TensorBoardLogger } from '../tensorboard-logger.js';

export const SECRET = 'sk-SECRET-do-not-log-123';
export const NOW = 1_700_000_000_123;

export interface Expected {
  wall_time: number;
  scalars: Record<string, [number, number | string][]>;
  images: Record<string, [number, number, number, number, string][]>;
  histograms: Record<string, [number, number[]][]>;
  texts: Record<string, [number, string][]>;
  hparams: { hparams: Record<string, number | string | boolean>; status: number };
}

const jsonNum = (x: number): number | string => (Number.isFinite(Math.fround(x)) ? Math.fround(x) : String(Math.fround(x)));

function image(width: number, height: number, channels: 1 | 3 | 4, seed: number): LoggedImage {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 11) % 256;
  return { width, height, channels, data };
}

function normals(n: number, scale: number, seed: number): Float32Array {
  let s = seed;
  const u = () => ((s = (s * 48271) % 2147483647) / 2147483647);
  return Float32Array.from({ length: n }, () => scale * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

export async function writeSampleRun(dir: string): Promise<Expected> {
  const now = () => NOW;
  const exp: Expected = { wall_time: NOW / 1000, scalars: {}, images: {}, histograms: {}, texts: {}, hparams: { hparams: {}, status: 1 } };
  const push = <T>(m: Record<string, T[]>, tag: string, row: T) => void (m[tag] ??= []).push(row);
  const params = { lr: 0.001, batchSize: 8, model: { name: 'unet', depth: 3 }, augment: true, wandb: { api_key: SECRET }, classes: ['a', 'b'] };
  const config = '```\nlr: 0.001\nbatchSize: 8\nmodel.name: unet\nmodel.depth: 3\naugment: true\nwandb.api_key: ***\nclasses: ["a","b"]\n```';
  exp.hparams.hparams = { lr: 0.001, batchSize: 8, 'model.name': 'unet', 'model.depth': 3, augment: true, 'wandb.api_key': '***', classes: '["a","b"]' };

  // First writer: logs steps 1..10, then "crashes" (never finishes).
  const a = new TensorBoardLogger({ dir, now });
  a.logParams(params);
  push(exp.texts, 'config', [0, config]);
  const summary = '| layer | params |\n|---|---|\n| conv1 | 448 |\n| ünïcode ✓ | 0 |';
  a.logText(0, 'model_summary', summary);
  push(exp.texts, 'model_summary', [0, summary]);
  const weird = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, 3.4e39, -0.1];
  for (let step = 1; step <= 10; step++) {
    const values: Record<string, number> = { loss: 1 / step, 'val/dice': step / 10 };
    if (step <= weird.length) values.weird = weird[step - 1]!;
    a.logMetrics(step, values);
    if (step < 7) for (const [k, v] of Object.entries(values)) push(exp.scalars, k, [step, jsonNum(v)]);
  }
  const images: [number, string, LoggedImage][] = [[5, 'samples/rgb', image(4, 3, 3, 1)], [5, 'samples/gray', image(2, 2, 1, 2)], [6, 'samples/rgba', image(5, 1, 4, 3)]];
  for (const [step, tag, img] of images) {
    a.logImage(step, tag, img);
    push(exp.images, tag, [step, img.width, img.height, img.channels, Buffer.from(img.data).toString('base64')]);
  }
  const withZero = normals(500, 0.05, 7);
  withZero[3] = 0;
  withZero[4] = -0;
  const histos: [number, string, Float32Array][] = [
    [5, 'weights/conv1', withZero], [6, 'grads/conv1', normals(300, 1e-6, 9)], [6, 'weights/conv1', normals(50, 3, 11)],
    [6, 'empty', new Float32Array(0)], [6, 'with_nan', Float32Array.from([1, Number.NaN, -2, Number.POSITIVE_INFINITY, 1e30])],
  ];
  for (const [step, tag, values] of histos) {
    a.logHistogram(step, tag, values);
    push(exp.histograms, tag, [step, Array.from(values, jsonNum)]);
  }

  // Second writer: the resumed run, from step 7 on; TensorBoard must drop the first writer's steps ≥ 7.
  const b = new TensorBoardLogger({ dir, now, resumed: true });
  b.logParams(params);
  push(exp.texts, 'config', [0, config]);
  for (let step = 7; step <= 12; step++) {
    const values = { loss: 2 / step, 'val/dice': 1 - 1 / step };
    b.logMetrics(step, values);
    for (const [k, v] of Object.entries(values)) push(exp.scalars, k, [step, jsonNum(v)]);
  }
  await b.finish('finished');
  return exp;
}
