import { open } from 'node:fs/promises';
import { KilnError } from '../errors.js';
import { WeightsErrorCodes } from './errors.js';
import type { WeightData, WeightSet } from './weight-set.js';

/** The part of h5wasm's API the reader uses (h5wasm is an optional dependency, imported on demand). */
interface H5Entity {
  readonly type: string;
  readonly attrs: Record<string, { value: unknown }>;
  readonly shape?: number[] | null;
  readonly value?: unknown;
  keys?(): string[];
  get?(name: string): H5Entity | null;
}
interface H5Module { ready: Promise<unknown>; File: new (path: string, mode: 'r') => H5Entity & { close(): void } }

async function loadH5wasm(): Promise<H5Module> {
  const specifier = 'h5wasm/node';
  try {
    const mod = (await import(specifier)) as { default?: H5Module } & H5Module;
    const h5 = mod.default ?? mod;
    await h5.ready;
    return h5;
  } catch (cause) {
    throw new KilnError(WeightsErrorCodes.H5_UNAVAILABLE,
      `Reading Keras .h5 weights needs the optional package h5wasm, which failed to load (${(cause as Error).message}). Run: npm install h5wasm`, { cause });
  }
}

function toFloat32(value: unknown): Float32Array {
  if (value instanceof Float32Array) return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return Float32Array.of(Number(value));
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) return Float32Array.from(value, Number);
  if (ArrayBuffer.isView(value)) return Float32Array.from(value as unknown as ArrayLike<number>);
  throw new Error(`unsupported HDF5 value of type ${typeof value}`);
}

function dataset(d: H5Entity, name: string): WeightData {
  return { name, shape: [...(d.shape ?? [])], dtype: 'float32', data: toFloat32(d.value) };
}

const attr = (e: H5Entity, name: string): unknown => e.attrs[name]?.value;
const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** Keras 3 `.weights.h5`: layers/<path>/vars/<i>, the layer's name in the attribute `name` of `vars`; nested models recurse. */
function readKeras3(group: H5Entity, out: Map<string, WeightData[]>): void {
  for (const key of group.keys!()) {
    const layer = group.get!(key)!;
    if (layer.type !== 'Group') continue;
    const vars = layer.get!('vars');
    if (vars?.type === 'Group') {
      const ids = vars.keys!().filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
      if (ids.length) out.set(String(attr(vars, 'name') ?? key), ids.map((i) => dataset(vars.get!(i)!, i)));
    }
    const nested = layer.get!('layers');
    if (nested?.type === 'Group') readKeras3(nested, out);
  }
}

/** Keras 2 / tf.keras h5 (save_weights or a full model's model_weights): attributes layer_names and weight_names. */
function readLegacy(root: H5Entity, out: Map<string, WeightData[]>): void {
  for (const layerName of asList(attr(root, 'layer_names'))) {
    const g = root.get!(layerName);
    if (!g) continue;
    const names = asList(attr(g, 'weight_names'));
    if (names.length) out.set(layerName, names.map((n, i) => dataset(g.get!(n)!, String(i))));
  }
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** True when the file starts with the HDF5 signature (at 0 or a power-of-two user-block offset). */
async function hasHdf5Signature(path: string): Promise<boolean> {
  const fh = await open(path, 'r').catch((cause: unknown) => {
    throw new KilnError(WeightsErrorCodes.NOT_FOUND, `Keras weights file '${path}' does not exist or is unreadable. Check the path.`, { cause, details: { path } });
  });
  try {
    for (const offset of [0, 512, 1024, 2048]) {
      const buf = Buffer.alloc(8);
      const { bytesRead } = await fh.read(buf, 0, 8, offset);
      if (bytesRead < 8) return false;
      if (buf.equals(SIGNATURE)) return true;
    }
    return false;
  } finally {
    await fh.close();
  }
}

/**
 * Reads a Keras weights file: Keras 3 `.weights.h5` (`model.save_weights`) or a Keras 2 / tf.keras
 * `.h5` (weights-only or full model). Each layer's weights come in Keras order (trainable, then
 * non-trainable), which `applyWeights` matches by position. Needs the optional package h5wasm.
 * @example const set = await readKerasWeights('densenet121.weights.h5'); set.layers.get('conv1_conv')
 */
export async function readKerasWeights(path: string): Promise<WeightSet> {
  if (!(await hasHdf5Signature(path))) {
    throw new KilnError(WeightsErrorCodes.FORMAT_UNKNOWN, `'${path}' is not an HDF5 file: expected a Keras .weights.h5 or .h5 file.`, { details: { path } });
  }
  const h5 = await loadH5wasm();
  const file = new h5.File(path, 'r');
  try {
    const layers = new Map<string, WeightData[]>();
    const top = file.get!('layers');
    const legacyRoot = file.get!('model_weights') ?? file;
    if (top?.type === 'Group') readKeras3(top, layers);
    else if (attr(legacyRoot, 'layer_names') !== undefined) readLegacy(legacyRoot, layers);
    else {
      throw new KilnError(WeightsErrorCodes.FORMAT_UNKNOWN,
        `'${path}' is an HDF5 file but not Keras weights (no 'layers' group, no 'layer_names' attribute). Save it with Keras model.save_weights().`, { details: { path } });
    }
    return { format: 'keras-h5', source: path, matchBy: 'position', layers };
  } finally {
    file.close();
  }
}
