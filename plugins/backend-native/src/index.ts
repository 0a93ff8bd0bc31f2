// Public surface of @kiln/plugin-backend-native: an explicit list of named exports.
export { backendNativePlugin, backendNativePlugin as default } from './plugin.js';
export { nativeBackend, nativeBackendOptions, type NativeBackendOptions, type NativeProviderConfig } from './provider.js';
export { installNative, type InstallNativeOptions, type InstallNativeResult } from './install-native.js';
export { goldenStep, type GoldenStepOptions, type GoldenStepResult, type VariableDelta } from './golden-step.js';
export { applyTf221Fixes } from './tf221-fixes.js';
export { NativeErrorCodes } from './errors.js';
