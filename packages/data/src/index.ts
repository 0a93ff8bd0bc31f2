// Public surface of @kiln/data: an explicit list of named exports.
export { DataErrorCodes } from './errors.js';
export type { EpochAwareDataset, SampleInfo, DescribedDataset } from './types.js';
export { InMemoryDataset } from './in-memory-dataset.js';
export { SubsetDataset } from './subset.js';
export { BatchLoader, type BatchLoaderOptions } from './batch-loader.js';
export { createShapesDataset, type ShapesOptions } from './synthetic/shapes.js';
export { SHAPE_KINDS, type ShapeKind } from './synthetic/draw.js';
export type { Image } from './image/image.js';
export { decodeImage, readImageHeader, encodePng, type DecodeOptions, type FitMode, type ImageHeader } from './image/decode.js';
export { decodeMask, type MaskFormat } from './image/mask.js';
export { resize, crop, centerCrop, pad, letterbox, fit, normalize, toChannels, IMAGENET_STATS, type Interpolation } from './image/transforms.js';
export {
  augment, augmentRng, resolveAugment, AUGMENT_PRESETS, augmentSchema, augmentConfigSchema, type AugmentConfig, type AugmentPreset,
} from './augment/augment.js';
export { ImageDataset, type ImageDatasetOptions } from './pipeline/image-dataset.js';
export type { ImageRecord, PipelineConfig } from './pipeline/pipeline.js';
export { DecodePool } from './pool/pool.js';
export { scanImageFolder } from './sources/folder.js';
export { readManifest, type ManifestOptions, type ManifestRecords } from './sources/manifest.js';
export { scanSegmentationPairs } from './sources/segmentation-pairs.js';
export { readIdx, createIdxDataset, FASHION_MNIST_CLASSES, type IdxDatasetOptions } from './sources/idx.js';
export { verifyRecords, type VerifyLevel } from './sources/verify.js';
export { BadSampleCollector, writeBadSampleReport, type BadSample, type OnBadSample } from './sources/bad-samples.js';
export { randomSplit, randomSplitIndices, type SplitIndices } from './splits/random-split.js';
export { stratifiedSplitIndices, stratifiedSubsample, classCounts, balancedClassWeights } from './splits/stratified.js';
export { groupSplitIndices, kFoldIndices } from './splits/grouped.js';
export { checkLeakage, assertNoLeakage, type LeakageItem, type LeakageReport } from './splits/leakage.js';
export { mixup, cutmix, sampleBeta, type MixedBatch } from './mix/mix.js';
export { inspectData, type InspectOptions, type InspectReport, type SplitSummary } from './inspect/inspect.js';
export { computeNormalization, datasetLabels } from './inspect/stats.js';
export { shapesFactory, shapesSchema, type ShapesFactoryOptions } from './factories/shapes-factory.js';
export {
  folderFactory, folderSchema, manifestFactory, manifestSchema, segmentationFactory, segmentationSchema,
} from './factories/image-factories.js';
export { idxFactory, idxSchema, type IdxFactoryOptions } from './factories/idx-factory.js';
export { dataPlugin } from './plugin.js';
