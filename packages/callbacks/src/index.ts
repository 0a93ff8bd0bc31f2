// Public surface of @kiln/callbacks: an explicit list of named exports.
export { CallbackErrorCodes } from './errors.js';
export { History, type EpochRecord } from './history.js';
export { ProgressPrinter, type ProgressPrinterOptions, type TextSink } from './progress-printer.js';
export { ProgressBar, type ProgressBarOptions } from './progress-bar.js';
export { Monitor, inferMode, type MonitorMode, type MonitorOptions } from './monitor.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint.js';
export { LearningRateMonitor, type LearningRateMonitorOptions, type LrRecord } from './lr-monitor.js';
export { NaNGuard, type NaNGuardOptions } from './nan-guard.js';
export { TensorLeakGuard, type TensorLeakGuardOptions, type LeakPhase } from './tensor-leak-guard.js';
export { Timer, parseMaxTime, type TimerOptions } from './timer.js';
export { Profiler, type ProfilerOptions, type ProfileSummary, type TimingStat } from './profiler.js';
export { LayerStatistics, type LayerStatisticsOptions, type StatsRecord } from './layer-statistics.js';
export { fromHooks } from './from-hooks.js';
export type { ContextExtras, RunPlan } from './internal/plan.js';
export { callbacksPlugin, callbackFactories } from './plugin.js';
