import type * as tfl from '@tensorflow/tfjs-layers';
import { KilnError } from '../errors.js';
import { WeightsErrorCodes } from './errors.js';

/** A layer-name pattern: a RegExp, or a string glob (`*` any run, `?` one character) matching the whole name. */
export type LayerPattern = string | RegExp;

/** Selects layers by name patterns and/or by the model's named stages (see `getModelStages`). */
export interface LayerSelector {
  readonly layers?: LayerPattern | readonly LayerPattern[];
  readonly stages?: readonly string[];
}

/**
 * What model builders store in `model.setUserDefinedMetadata({ kiln: … })` (saved in model.json):
 * the architecture name, stage → layer-name regex source, and which stages form the head.
 */
export interface KilnModelMetadata {
  readonly architecture?: string;
  readonly stages?: Readonly<Record<string, string>>;
  readonly headStages?: readonly string[];
}

/** Converts a pattern to an anchored RegExp (strings are globs). */
export function patternToRegExp(p: LayerPattern): RegExp {
  if (p instanceof RegExp) return p;
  const src = p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${src}$`);
}

/**
 * The model's Kiln metadata (`kiln` key of its user-defined metadata), or `{}`.
 * @example getModelMetadata(buildEfficientNet()).stages?.block1 // '^block1[a-z]_.*$'
 */
export function getModelMetadata(model: tfl.LayersModel): KilnModelMetadata {
  const meta = model.getUserDefinedMetadata() as { kiln?: KilnModelMetadata } | undefined;
  return meta?.kiln ?? {};
}

/** The model's stages as RegExps, in definition order. */
export function getModelStages(model: tfl.LayersModel): Map<string, RegExp> {
  return new Map(Object.entries(getModelMetadata(model).stages ?? {}).map(([k, v]) => [k, new RegExp(v)]));
}

/** The name of the first stage whose pattern matches the layer name, if any. */
export function stageOfLayer(stages: ReadonlyMap<string, RegExp>, layerName: string): string | undefined {
  for (const [name, re] of stages) if (re.test(layerName)) return name;
  return undefined;
}

/**
 * One RegExp matching the layers of the given stages (throws KILN_WEIGHTS_STAGE_UNKNOWN for an
 * unknown stage). Handy for parameter groups: `{ name: 'head', match: stagePattern(model, ['head']) }`.
 * @example stagePattern(model, ['block7', 'top', 'head'])
 */
export function stagePattern(model: tfl.LayersModel, stages: readonly string[]): RegExp {
  const known = getModelStages(model);
  const parts = stages.map((s) => {
    const re = known.get(s);
    if (!re) {
      const available = [...known.keys()];
      throw new KilnError(WeightsErrorCodes.STAGE_UNKNOWN,
        `Model '${model.name}' has no stage '${s}'. ${available.length ? `Stages: ${available.join(', ')}.` : 'It defines no stages: select layers by name pattern instead.'}`,
        { details: { stage: s, available } });
    }
    return `(?:${re.source})`;
  });
  return new RegExp(parts.join('|'));
}

/**
 * The layers a selector picks, in model order; throws KILN_WEIGHTS_NO_MATCH when a pattern or stage selects nothing.
 * @example selectLayers(model, { layers: ['conv5_*'], stages: ['head'] })
 */
export function selectLayers(model: tfl.LayersModel, selector: LayerSelector): tfl.layers.Layer[] {
  const patterns = selector.layers === undefined ? [] : Array.isArray(selector.layers) ? selector.layers : [selector.layers as LayerPattern];
  const tests: [string, RegExp][] = patterns.map((p) => [String(p), patternToRegExp(p)]);
  for (const s of selector.stages ?? []) tests.push([`stage '${s}'`, stagePattern(model, [s])]);
  for (const [label, re] of tests) {
    if (!model.layers.some((l) => re.test(l.name))) {
      throw new KilnError(WeightsErrorCodes.NO_MATCH,
        `${label} matches no layer of model '${model.name}'. Layers: ${model.layers.slice(0, 10).map((l) => l.name).join(', ')}${model.layers.length > 10 ? ', …' : ''} (all: kiln models describe).`,
        { details: { selector: label } });
    }
  }
  return model.layers.filter((l) => tests.some(([, re]) => re.test(l.name)));
}

/** The layers of the model's head stages (metadata `headStages`, default `['head']`), or [] without stages. */
export function headLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  const meta = getModelMetadata(model);
  const stages = getModelStages(model);
  const heads = (meta.headStages ?? ['head']).filter((s) => stages.has(s));
  if (!heads.length) return [];
  const re = stagePattern(model, heads);
  return model.layers.filter((l) => re.test(l.name));
}
