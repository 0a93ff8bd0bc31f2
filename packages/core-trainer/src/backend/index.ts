// Backend-agnostic helpers: backend selection and kernel preflight (re-exported by core-trainer's index).
export { BackendErrorCodes } from './errors.js';
export { preflight, traceKernels, backendsHaving, registeredBackends, type KernelTrace, type PreflightReport } from './preflight.js';
export { kernelTable, formatKernelTable, type KernelTable } from './kernel-table.js';
export { selectBackend, describeChoice, type BackendChoice, type SkippedBackend, type SelectOptions } from './select.js';
export { FUSED_BN_TRAIN, FUSED_BN_TRAIN_GRAD, FUSED_BN_RELU_TRAIN, FUSED_BN_RELU_TRAIN_GRAD, hasFusedBatchNormTraining, hasFusedBatchNormReluTraining, routeBatchNormTraining } from './fused-batch-norm.js';
export { routeConvInputGradients } from './conv-input-gradient.js';
export { MAX_POOL_TRAIN, MAX_POOL_TRAIN_GRAD, hasMaxPoolTraining, routeMaxPoolTraining } from './max-pool-training.js';
export { registerStepCompiler, stepCompilerFor, type StepCompiler, type StepCompilerStats } from './step-compiler.js';
