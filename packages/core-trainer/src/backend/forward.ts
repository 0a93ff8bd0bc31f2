import * as tf from '@tensorflow/tfjs-core';

/**
 * A kernel for backend `target` that runs `name` on backend `donor` (inputs read from `target`,
 * results written back). Only for tracing past a missing kernel: copies make it slow.
 */
export function forwardingKernel(name: string, target: string, donor: string): tf.KernelConfig {
  const donorKernel = tf.getKernel(name, donor)!;
  return {
    kernelName: name,
    backendName: target,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const from = backend as tf.KernelBackend, to = tf.findBackend(donor)!;
      const moved: Record<string, tf.TensorInfo> = {};
      for (const [k, t] of Object.entries(inputs)) {
        if (t) moved[k] = { dataId: to.write(from.readSync(t.dataId) as tf.backend_util.BackendValues, t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
      }
      const out = donorKernel.kernelFunc({ inputs: moved, attrs, backend: to });
      const outs = Array.isArray(out) ? out : [out];
      const back = outs.map((o) => ({ dataId: from.write(to.readSync(o.dataId) as tf.backend_util.BackendValues, o.shape, o.dtype), shape: o.shape, dtype: o.dtype }));
      for (const t of [...Object.values(moved), ...outs]) to.disposeData(t.dataId, true);
      return Array.isArray(out) ? back : back[0];
    },
  };
}
