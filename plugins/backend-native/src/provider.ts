import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendInfo, type BackendProbe, type BackendProvider, KilnError, type KilnErrorCode, registerStepCompiler, routeBatchNormTraining, routeConvInputGradients, routeMaxPoolTraining } from '@kiln/core-trainer';
import { z } from 'zod';
import { NativeErrorCodes } from './errors.js';
import { type ChildResult, probeBinding } from './internal/child.js';
import { registerFastGradients } from './internal/fast-grads.js';
import { NativeStepCompiler } from './internal/graph/step-compiler.js';
import { registerNativeFusedBatchNorm, registerNativeFusedBatchNormRelu } from './internal/fused-bn-training.js';
import { registerRelu6Layers } from './internal/relu6-layers.js';
import { registerNativeMaxPoolTraining } from './internal/max-pool-training.js';
import { applyTf221Fixes, nodeBackend } from './tf221-fixes.js';
import { type Flavour, findBinding, installFix, packageName, resolvePackageDir, searchRoots } from './internal/locate.js';

/** Options of `native` / `native-gpu` (`backend: { name: native-gpu, allowCpuFallback: true }`). */
export const nativeBackendOptions = z.object({
  /** native-gpu only: run on CPU (and say so) instead of failing when TensorFlow finds no CUDA GPU. */
  allowCpuFallback: z.boolean().default(false),
  /** TensorFlow's fused ops on 'tensorflow': training batch norm as FusedBatchNormV3 + its gradient, ReLU6 layers as one Relu6, single-op ReLU / Mean / Sum gradients (default true). */
  fastGradients: z.boolean().default(true),
}).strict();
export type NativeBackendOptions = z.infer<typeof nativeBackendOptions>;

/** Where to look for tfjs-node besides the current directory and this plugin's location. */
export interface NativeProviderConfig {
  readonly searchPaths?: readonly string[];
}

type Located = { ok: true; packageDir: string; binding: ChildResult & { ok: true } } | { ok: false; code: KilnErrorCode; reason: string; fix: string };

const probeCache = new Map<string, Promise<ChildResult>>();

async function locate(flavour: Flavour, config: NativeProviderConfig): Promise<Located> {
  const pkg = packageName(flavour);
  const fix = installFix(flavour);
  const packageDir = resolvePackageDir(pkg, searchRoots(config.searchPaths));
  if (!packageDir) return { ok: false, code: NativeErrorCodes.NATIVE_NOT_INSTALLED, reason: `${pkg} is not installed`, fix };
  const bindingPath = findBinding(packageDir);
  if (!bindingPath) {
    return { ok: false, code: NativeErrorCodes.NATIVE_BINDING_MISSING,
      reason: `${pkg} is installed at ${packageDir} but its native binding (lib/napi-v*/tfjs_binding.node) was never built (installed offline or with --ignore-scripts)`, fix };
  }
  const key = `${bindingPath}:${statSync(bindingPath).mtimeMs}`;
  if (!probeCache.has(key)) probeCache.set(key, probeBinding(bindingPath));
  const binding = await probeCache.get(key)!;
  if (!binding.ok) {
    return { ok: false, code: NativeErrorCodes.NATIVE_BINDING_LOAD, reason: `the ${pkg} binding at ${bindingPath} does not load: ${binding.error}`, fix };
  }
  return { ok: true, packageDir, binding };
}

const NO_GPU = 'TensorFlow sees no CUDA GPU (no GPU, or the CUDA 12 / cuDNN 9 libraries are not on the library path), so it would silently run on CPU';
const GPU_FIX = 'install CUDA 12 and cuDNN 9 (e.g. `pip install nvidia-cudnn-cu12 nvidia-cublas-cu12 nvidia-cuda-runtime-cu12 …`) and add their lib folders to LD_LIBRARY_PATH; or use `backend: native`';

/**
 * A native TensorFlow backend provider: `native` (tfjs-node, CPU) or `native-gpu` (tfjs-node-gpu).
 * The package is an optional peer dependency, loaded only by `activate`. `probe` runs the binding
 * in a child process (cached), so it never changes this process's backend.
 * @example const p = nativeBackend('cpu'); if ((await p.probe()).ok) console.log(await p.activate()); // { name: 'native', tfBackend: 'tensorflow', device: 'CPU' }
 */
export function nativeBackend(flavour: Flavour, config: NativeProviderConfig = {}): BackendProvider {
  const gpu = flavour === 'gpu';
  const name = gpu ? 'native-gpu' : 'native';
  const pkg = packageName(flavour);
  return Object.freeze({
    name,
    priority: gpu ? 40 : 30,
    description: gpu ? 'Native TensorFlow on a CUDA GPU (@tensorflow/tfjs-node-gpu)' : 'Native TensorFlow on CPU (@tensorflow/tfjs-node)',
    async probe(): Promise<BackendProbe> {
      const loc = await locate(flavour, config);
      if (!loc.ok) return { ok: false, reason: loc.reason, fix: loc.fix };
      const r = loc.binding.report;
      if (gpu && !r.gpu) return { ok: false, reason: `${pkg} loads, but ${NO_GPU}`, fix: GPU_FIX };
      return { ok: true, detail: `TensorFlow ${r.tfVersion} on ${r.gpu ? `GPU (${r.gpuName ?? 'GPU:0'})` : 'CPU'} via ${loc.packageDir}` };
    },
    async activate(options: Record<string, unknown> = {}): Promise<BackendInfo> {
      const parsed = nativeBackendOptions.safeParse(options);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new KilnError(NativeErrorCodes.NATIVE_OPTIONS_INVALID,
          `Invalid ${name} backend option '${issue?.path.join('.') || '(root)'}': ${issue?.message}. Allowed: allowCpuFallback (boolean), fastGradients (boolean).`);
      }
      const loaded = nodeBackend();
      if (loaded && (loaded.isGPUPackage ?? false) !== gpu) {
        throw new KilnError(NativeErrorCodes.NATIVE_CONFLICT,
          `Cannot activate '${name}': ${packageName(gpu ? 'cpu' : 'gpu')} is already loaded in this process and both register the 'tensorflow' backend. Use one of native / native-gpu per process.`);
      }
      const loc = await locate(flavour, config);
      if (!loc.ok) throw new KilnError(loc.code, `Backend '${name}' is not available: ${loc.reason}. Fix: ${loc.fix}`, { details: { reason: loc.reason, fix: loc.fix } });
      if (gpu && !loc.binding.report.gpu && !parsed.data.allowCpuFallback) {
        throw new KilnError(NativeErrorCodes.NATIVE_NO_GPU, `Backend 'native-gpu': ${NO_GPU}. Fix: ${GPU_FIX}. (Or set allowCpuFallback: true to run on CPU anyway.)`);
      }
      try {
        createRequire(join(loc.packageDir, 'noop.js'))(loc.packageDir);
      } catch (cause) {
        throw new KilnError(NativeErrorCodes.NATIVE_BINDING_LOAD, `${pkg} failed to load in this process: ${(cause as Error).message}. Fix: ${installFix(flavour)}`, { cause });
      }
      applyTf221Fixes();
      // tfjs-layers is an optional peer: without it there are no layers models to route.
      const layers = parsed.data.fastGradients ? await import('@tensorflow/tfjs-layers').catch(() => undefined) : undefined;
      if (parsed.data.fastGradients) {
        registerFastGradients();
        registerNativeFusedBatchNorm();
        if (layers) {
          routeBatchNormTraining(layers);
          routeConvInputGradients(layers);
          registerRelu6Layers(layers);
        }
      }
      if (!(await tf.setBackend('tensorflow'))) {
        throw new KilnError(NativeErrorCodes.NATIVE_BINDING_LOAD, `tf.setBackend('tensorflow') failed after loading ${pkg}. Fix: ${installFix(flavour)}`);
      }
      await tf.ready();
      // Needs the backend active: a trial run finds out whether TensorFlow has oneDNN pooling.
      if (layers && registerNativeMaxPoolTraining()) routeMaxPoolTraining(layers);
      if (layers) registerNativeFusedBatchNormRelu();
      // Training steps as TensorFlow graphs (the Trainer's `compile` option, on by default).
      registerStepCompiler('tensorflow', new NativeStepCompiler(tf.backend()));
      const usingGpu = nodeBackend()?.isUsingGpuDevice === true;
      const device = usingGpu ? loc.binding.report.gpuName ?? 'GPU:0' : gpu ? 'CPU (no CUDA GPU found; TensorFlow fell back to CPU)' : 'CPU';
      return { name, tfBackend: tf.getBackend(), device };
    },
  });
}
