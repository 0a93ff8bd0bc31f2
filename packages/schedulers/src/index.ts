// Public surface of @kiln/schedulers: an explicit list of named exports.
export { ScheduleErrorCodes } from './errors.js';
export { CountingSchedule, runLength, type BaseScheduleOptions, type Interval } from './base.js';
export { ConstantSchedule } from './basic.js';
export { CosineSchedule, CosineWarmRestartsSchedule, type CosineOptions, type WarmRestartsOptions } from './cosine.js';
export { ExponentialSchedule, MultiStepSchedule, PolynomialSchedule, StepSchedule, type ExponentialOptions, type MultiStepOptions, type PolynomialOptions, type StepOptions } from './decay.js';
export { OneCycleSchedule, type OneCycleOptions } from './one-cycle.js';
export { ReduceOnPlateauSchedule, type PlateauOptions } from './plateau.js';
export { LinearWarmup, type WarmupOptions } from './warmup.js';
export { createSchedule, scheduleFactories, schedulersPlugin } from './plugin.js';
export { schedulersPlugin as default } from './plugin.js';
