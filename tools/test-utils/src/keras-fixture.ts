import { readFileSync } from 'node:fs';
import type * as tfl from '@tensorflow/tfjs-layers';

/** One model of a fixture written by tools/scripts/reference/models/gen_architectures.py. */
export interface KerasModelFixture {
  readonly keras: string;
  readonly inputShape: number[];
  readonly totalParams: number;
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  /** [name, class name, output shape without batch, parameter count] */
  readonly layers: [string, string, (number | null)[], number][];
}

export function readFixture(url: URL): Record<string, KerasModelFixture> {
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, KerasModelFixture>;
}

const size = (shape: readonly (number | null)[]): number => shape.reduce<number>((a, b) => a * (b ?? 1), 1);

/** The same summary as the fixture, computed from a tfjs model. */
export function summarize(model: tfl.LayersModel): Omit<KerasModelFixture, 'keras'> {
  const count = (ws: tfl.LayerVariable[]): number => ws.reduce((n, w) => n + size(w.shape), 0);
  return {
    inputShape: model.inputs[0]!.shape.slice(1) as number[],
    totalParams: count(model.weights),
    trainableParams: count(model.trainableWeights),
    nonTrainableParams: count(model.nonTrainableWeights),
    layers: model.layers.map((l) => {
      const shape = (Array.isArray(l.outputShape[0]) ? l.outputShape[0] : l.outputShape) as (number | null)[];
      return [l.name, l.getClassName(), shape.slice(1), count(l.weights)];
    }),
  };
}
