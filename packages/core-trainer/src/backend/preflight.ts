import * as tf from '@tensorflow/tfjs-core';
import { KilnError } from '../errors.js';
import { BackendErrorCodes } from './errors.js';
import { forwardingKernel } from './forward.js';

/** Names of the backends registered with tfjs (initialised or not), sorted. */
export function registeredBackends(): string[] {
  return Object.keys(tf.engine().registryFactory).sort();
}

/** For each kernel, the registered backends that implement it. */
export function backendsHaving(kernels: readonly string[], backends: readonly string[] = registeredBackends()): Record<string, string[]> {
  return Object.fromEntries(kernels.map((k) => [k, backends.filter((b) => tf.getKernel(k, b) != null)]));
}

export interface KernelTrace {
  /** The backend traced on. */
  readonly backend: string;
  /** Every kernel the step dispatched (nested ones included), sorted. */
  readonly kernels: readonly string[];
  /** Kernels the backend lacks; the step ran past them by forwarding to another backend. */
  readonly missing: readonly string[];
}

const NOT_REGISTERED = /Kernel '([^']+)' not registered for backend '([^']+)'/;

/**
 * Runs `step` once under tf.profile on `backend` (the active one by default) and returns the
 * kernels it dispatched. A kernel the backend lacks is recorded and, for the trace only,
 * forwarded to a backend that has it, so one trace finds every missing kernel. The step really
 * runs (its side effects, such as an optimizer update, happen; after a missing kernel it may run
 * again) and its result is disposed.
 * @example const { kernels, missing } = await traceKernels(() => trainer.step(batch));
 */
export async function traceKernels(step: () => tf.TensorContainer | Promise<tf.TensorContainer>, backend = tf.getBackend()): Promise<KernelTrace> {
  const previous = tf.getBackend();
  if (backend !== previous) await tf.setBackend(backend);
  const missing: string[] = [];
  const temporary: string[] = [];
  try {
    for (;;) {
      try {
        const info = await tf.profile(step);
        tf.dispose(info.result);
        // `<op>__op` entries are customGrad wrappers (e.g. fusedConv2d__op), not kernels: their kernels are traced too.
        const names = info.kernelNames.filter((k) => !k.endsWith('__op'));
        return { backend, kernels: [...new Set([...names, ...missing])].sort(), missing: missing.sort() };
      } catch (e) {
        (tf.engine().state as unknown as { profiling: boolean }).profiling = false; // tf.profile leaves it on when the query throws
        const m = NOT_REGISTERED.exec((e as Error)?.message ?? '');
        if (!m || m[2] !== backend || missing.includes(m[1])) throw e;
        missing.push(m[1]);
        const donor = backendsHaving([m[1]])[m[1]].find((b) => b !== backend && tf.findBackend(b) != null);
        if (!donor) return { backend, kernels: [...missing].sort(), missing: missing.sort() };
        tf.registerKernel(forwardingKernel(m[1], backend, donor));
        temporary.push(m[1]);
      }
    }
  } finally {
    for (const k of temporary) tf.unregisterKernel(k, backend);
    if (tf.getBackend() !== previous) await tf.setBackend(previous);
  }
}

export interface PreflightReport {
  readonly backend: string;
  readonly kernels: readonly string[];
}

/**
 * Checks that `backend` registers every kernel a training step uses: `step` is either the kernel
 * names or a function running one step (traced with `traceKernels`). Throws
 * KILN_BACKEND_MISSING_KERNEL listing each missing kernel and the registered backends that have it.
 * @example await preflight(() => module.trainingStep(batch), 'wasm');
 */
export async function preflight(step: readonly string[] | (() => tf.TensorContainer | Promise<tf.TensorContainer>), backend = tf.getBackend()): Promise<PreflightReport> {
  const kernels = typeof step === 'function' ? (await traceKernels(step, backend)).kernels : [...new Set(step)].sort();
  const lacking = kernels.filter((k) => tf.getKernel(k, backend) == null);
  if (lacking.length) {
    const having = backendsHaving(lacking);
    const lines = lacking.map((k) => `  ${k}: ${having[k].length ? `registered for ${having[k].join(', ')}` : 'registered for no backend'}`);
    const alternatives = registeredBackends().filter((b) => b !== backend && lacking.every((k) => having[k].includes(b)));
    throw new KilnError(BackendErrorCodes.BACKEND_MISSING_KERNEL,
      `The training step uses ${lacking.length} kernel${lacking.length > 1 ? 's' : ''} that backend '${backend}' does not register:\n${lines.join('\n')}\n` +
      (alternatives.length ? `Choose a backend that has them all (backend: ${alternatives.join(' | ')}) or load the plugin that adds them.` : 'Load a plugin that adds them, or change the model to avoid these ops.'),
      { details: { backend, missing: lacking.map((k) => ({ kernel: k, backends: having[k] })) } });
  }
  return { backend, kernels };
}
