// Public surface of @kiln/metrics: an explicit list of named exports.
export { MetricErrorCodes } from './errors.js';
export { Accuracy, type AccuracyOptions } from './accuracy.js';
export { DiceScore, IoU, type OverlapMetricOptions } from './segmentation.js';
export type { ThresholdOptions } from './internal/classify.js';
export { metricFactories, metricsPlugin } from './plugin.js';
export { metricsPlugin as default } from './plugin.js';
