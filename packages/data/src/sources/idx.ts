import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { KilnError } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';
import { InMemoryDataset } from '../in-memory-dataset.js';
import { resize } from '../image/transforms.js';

/** Fashion-MNIST's class names, in label order. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/**
 * Reads an IDX file (MNIST format; gzip detected by its magic bytes) of unsigned bytes:
 * returns the dimensions and the data. Throws KILN_DATA_IDX_FORMAT naming the file otherwise.
 * @example const { dims, data } = await readIdx('train-labels-idx1-ubyte.gz'); // dims [60000]
 */
export async function readIdx(file: string): Promise<{ dims: number[]; data: Uint8Array }> {
  let buf = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new KilnError(DataErrorCodes.MISSING_FILE, `IDX file '${file}' cannot be read (${e.code ?? e.message}).`, { details: { file }, cause: e });
  });
  const fail = (why: string): KilnError => new KilnError(DataErrorCodes.IDX_FORMAT, `IDX file '${file}': ${why}. Use MNIST-style idx1/idx3 ubyte files (optionally .gz).`, { details: { file } });
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try { buf = gunzipSync(buf); } catch (e) { throw fail(`gzip data is corrupt (${(e as Error).message})`); }
  }
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw fail('bad magic number');
  if (buf[2] !== 0x08) throw fail(`element type 0x${buf[2].toString(16)} is not unsigned byte (0x08)`);
  const nd = buf[3];
  if (nd < 1 || buf.length < 4 + 4 * nd) throw fail('truncated header');
  const dims = Array.from({ length: nd }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const data = buf.subarray(4 + 4 * nd);
  if (data.length !== count) throw fail(`holds ${data.length} bytes but its dimensions [${dims.join(', ')}] need ${count}`);
  return { dims, data: new Uint8Array(data) };
}

export interface IdxDatasetOptions {
  readonly images: string;
  readonly labels: string;
  /** Use only the first `limit` samples. */
  readonly limit?: number;
  /** Resize to imageSize × imageSize (bilinear); default: native (28). */
  readonly imageSize?: number;
  readonly classNames?: readonly string[];
}

/**
 * An in-memory classification dataset from an IDX image file [n, h, w] and label file [n]
 * (MNIST, Fashion-MNIST): x is [h, w, 1] in [0, 1], y the int32 label.
 * @example const train = await createIdxDataset({ images: `${d}/train-images-idx3-ubyte.gz`, labels: `${d}/train-labels-idx1-ubyte.gz` });
 */
export async function createIdxDataset(o: IdxDatasetOptions): Promise<InMemoryDataset> {
  const [img, lab] = await Promise.all([readIdx(o.images), readIdx(o.labels)]);
  if (img.dims.length !== 3) throw new KilnError(DataErrorCodes.IDX_FORMAT, `IDX images '${o.images}' must have 3 dimensions [n, h, w] (got [${img.dims.join(', ')}]).`, { details: { file: o.images } });
  if (lab.dims.length !== 1 || lab.dims[0] !== img.dims[0]) {
    throw new KilnError(DataErrorCodes.IDX_FORMAT, `IDX labels '${o.labels}' [${lab.dims.join(', ')}] do not match the ${img.dims[0]} images of '${o.images}'.`, { details: { file: o.labels } });
  }
  const [n0, h, w] = img.dims;
  const n = Math.min(n0, o.limit ?? n0);
  const numClasses = o.classNames?.length ?? Math.max(...lab.data.subarray(0, n)) + 1;
  const [oh, ow] = o.imageSize ? [o.imageSize, o.imageSize] : [h, w];
  const samples = Array.from({ length: n }, (_, i) => {
    const x = Float32Array.from(img.data.subarray(i * h * w, (i + 1) * h * w), (v) => v / 255);
    const label = lab.data[i];
    if (label >= numClasses) throw new KilnError(DataErrorCodes.UNKNOWN_LABEL, `IDX labels '${o.labels}' entry ${i} is ${label}, outside the ${numClasses} class names.`, { details: { file: o.labels, row: i } });
    return { x: oh === h && ow === w ? x : resize({ data: x, width: w, height: h, channels: 1 }, ow, oh).data, y: label, id: `${o.images}#${i}` };
  });
  return new InMemoryDataset({
    inputShape: [oh, ow, 1], task: 'classification', numClasses, classNames: o.classNames ?? Array.from({ length: numClasses }, (_, k) => String(k)),
    targetShape: [], targetDtype: 'int32',
  }, samples);
}
