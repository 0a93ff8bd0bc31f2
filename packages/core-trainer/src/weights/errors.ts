import type { KilnErrorCode } from '../errors.js';

/** Codes of the weights module (model weight loading, freezing, inspection). */
export const WeightsErrorCodes = {
  SHAPE_MISMATCH: 'KILN_WEIGHTS_SHAPE_MISMATCH', // a weight in the file has another shape than the model's (named with both shapes; often the input channels or the class count): build the model to match, or skip the layer
  MISSING: 'KILN_WEIGHTS_MISSING', // strict loading and the file lacks weights the model has: load with `strict: false` to keep those layers' initial values (e.g. a new head)
  UNEXPECTED: 'KILN_WEIGHTS_UNEXPECTED', // strict loading and the file has weights for layers the model lacks: load with `strict: false` to ignore them (e.g. the old head)
  NOT_FOUND: 'KILN_WEIGHTS_NOT_FOUND', // the weights file (or a shard named in model.json) does not exist: check the path
  FORMAT_UNKNOWN: 'KILN_WEIGHTS_FORMAT_UNKNOWN', // the file is neither a tfjs model.json (with its .bin shards) nor a Keras .weights.h5 / .h5 file: convert it to one of those
  H5_UNAVAILABLE: 'KILN_WEIGHTS_H5_UNAVAILABLE', // reading Keras .h5 needs the optional package h5wasm: run `npm install h5wasm`
  NO_MATCH: 'KILN_WEIGHTS_NO_MATCH', // a layer pattern or stage selects no layer of the model: check the names with `kiln models describe`
  STAGE_UNKNOWN: 'KILN_WEIGHTS_STAGE_UNKNOWN', // a stage name is not one the model defines (listed in the message): use one of those or a layer pattern
} as const satisfies Record<string, KilnErrorCode>;
