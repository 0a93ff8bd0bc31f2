// Public surface of @kiln/metrics: an explicit list of named exports.
export { MetricErrorCodes } from './errors.js';
export { Accuracy, type AccuracyOptions } from './accuracy.js';
export { ClassificationScore, ConfusionMatrix, type Average, type ClassificationKind, type ClassificationOptions, type ConfusionMatrixOptions } from './classification.js';
export { Auroc, AveragePrecision, SensitivityThreshold, type RankingAverage, type RankingOptions, type SensitivityThresholdOptions } from './ranking.js';
export { DiceScore, IoU, type OverlapMetricOptions } from './segmentation.js';
export { RegressionMetric, type RegressionKind } from './regression.js';
export { CalibrationError, type CalibrationOptions } from './calibration.js';
export type { ThresholdOptions } from './internal/classify.js';
export { metricFactories, metricsPlugin } from './plugin.js';
export { metricsPlugin as default } from './plugin.js';
