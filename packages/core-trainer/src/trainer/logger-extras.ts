import type * as tfl from '@tensorflow/tfjs-layers';
import type { Logger } from '../contracts/logger.js';
import { describeModel, formatModelDescription } from '../weights/describe.js';

/**
 * Sends a plain-text model summary (layer, type, output shape, parameters, totals) as
 * `logText(0, 'model_summary', …)` to the loggers that implement `logText`.
 * @example await logModelSummary(model, loggers)
 */
export async function logModelSummary(model: tfl.LayersModel, loggers: readonly Logger[]): Promise<void> {
  const targets = loggers.filter((l) => typeof l.logText === 'function');
  if (!targets.length) return;
  const text = formatModelDescription(describeModel(model));
  for (const l of targets) await l.logText!(0, 'model_summary', text);
}

/**
 * Sends every weight tensor of `model` as `logHistogram(step, 'weights/<layer>/<weight>', values)`
 * to the loggers that implement `logHistogram`; reads the weights back only when one does.
 * @example await logWeightHistograms(model, loggers, globalStep)
 */
export async function logWeightHistograms(model: tfl.LayersModel, loggers: readonly Logger[], step: number): Promise<void> {
  const targets = loggers.filter((l) => typeof l.logHistogram === 'function');
  if (!targets.length) return;
  for (const w of model.weights) {
    const values = (await w.read().data()) as Float32Array;
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    for (const l of targets) await l.logHistogram!(step, `weights/${w.originalName}`, data);
  }
}
