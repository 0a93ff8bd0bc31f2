// Public surface of @kiln/data: an explicit list of named exports.
export { DataErrorCodes } from './errors.js';
export { InMemoryDataset } from './in-memory-dataset.js';
export { SubsetDataset } from './subset.js';
export { BatchLoader, type BatchLoaderOptions } from './batch-loader.js';
export { createShapesDataset, type ShapesOptions } from './synthetic/shapes.js';
export { SHAPE_KINDS, type ShapeKind } from './synthetic/draw.js';
export { randomSplit, randomSplitIndices, type SplitIndices } from './splits/random-split.js';
export { shapesSchema, type ShapesFactoryOptions } from './factories/shapes-factory.js';
export { dataPlugin } from './plugin.js';
