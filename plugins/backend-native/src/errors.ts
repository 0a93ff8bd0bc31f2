import type { KilnErrorCode } from '@kiln/core-trainer';

/** Codes owned by @kiln/plugin-backend-native. */
export const NativeErrorCodes = {
  NATIVE_NOT_INSTALLED: 'KILN_NATIVE_NOT_INSTALLED', // @tensorflow/tfjs-node(-gpu) is not installed: run the `npx kiln backend install native [--gpu] [--from …]` command in the message
  NATIVE_BINDING_MISSING: 'KILN_NATIVE_BINDING_MISSING', // tfjs-node is installed but its binding was never built (offline install, --ignore-scripts): run `npx kiln backend install native --from <tensorflow wheel>`
  NATIVE_BINDING_LOAD: 'KILN_NATIVE_BINDING_LOAD', // the tfjs-node binding exists but does not load (libtensorflow missing or incompatible): reinstall with `npx kiln backend install native --from …`
  NATIVE_NO_GPU: 'KILN_NATIVE_NO_GPU', // tfjs-node-gpu loaded but TensorFlow sees no CUDA GPU (CUDA 12 / cuDNN 9 libraries not on the library path): install them, or use `backend: native`
  NATIVE_CONFLICT: 'KILN_NATIVE_CONFLICT', // the other tfjs-node flavour is already loaded in this process: run one flavour per process
  NATIVE_FROM_INVALID: 'KILN_NATIVE_FROM_INVALID', // `--from` is not a usable TensorFlow library (wheel, libtensorflow .tar.gz or directory): point it at one; nothing was installed
  NATIVE_UNSUPPORTED_PLATFORM: 'KILN_NATIVE_UNSUPPORTED_PLATFORM', // building the binding from TensorFlow libraries is supported on Linux x64/arm64 only: use the online install or the wasm backend
  NATIVE_INSTALL_FAILED: 'KILN_NATIVE_INSTALL_FAILED', // npm install / npm rebuild of tfjs-node failed (log tail in the message): fix what it names; nothing was left half-installed
  NATIVE_VERIFY_FAILED: 'KILN_NATIVE_VERIFY_FAILED', // the freshly built binding did not load or compute 1+2 in a child process: the TensorFlow library does not fit; nothing was installed
  NATIVE_OPTIONS_INVALID: 'KILN_NATIVE_OPTIONS_INVALID', // an option of the native / native-gpu backend is wrong: fix the field named in the message (allowed: allowCpuFallback, fastGradients)
  NATIVE_GOLDEN_BACKEND: 'KILN_NATIVE_GOLDEN_BACKEND', // goldenStep was given a backend that is not registered in tfjs: activate both backends first
} as const satisfies Record<string, KilnErrorCode>;
