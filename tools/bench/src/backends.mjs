// Activating one benchmark backend inside a worker process (one backend per process).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/** Backend ids of the suite, in report order. */
export const BACKENDS = [
  { id: 'native', title: 'native (tfjs-node, TF 2.21 CPU)' },
  { id: 'kiln-wasm-1', title: 'Kiln wasm, 1 thread' },
  { id: 'kiln-wasm-2', title: 'Kiln wasm, 2 threads' },
  { id: 'stock-wasm', title: 'stock wasm + missing kernels on cpu' },
];

/**
 * Stock tfjs-backend-wasm 4.22 where every kernel it lacks (Conv2DBackpropFilter, depthwise
 * gradients, …) is forwarded to the cpu backend: inputs are copied to cpu, the cpu kernel runs,
 * outputs are copied back. This is the baseline the Kiln wasm kernels are measured against.
 */
async function stockWasmWithForwarding() {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('cpu');
  const cpu = tf.engine().findBackend('cpu');
  const forwarded = [];
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (tf.getKernel(k.kernelName, 'wasm')) continue;
    forwarded.push(k.kernelName);
    tf.registerKernel({
      kernelName: k.kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const ins = {};
        for (const [name, t] of Object.entries(inputs)) ins[name] = t && cpu.makeTensorInfo(t.shape, t.dtype, backend.readSync(t.dataId));
        const out = k.kernelFunc({ inputs: ins, attrs, backend: cpu });
        const outs = (Array.isArray(out) ? out : [out]).map((o) => {
          const info = backend.makeOutput(o.shape, o.dtype, undefined, cpu.readSync(o.dataId));
          cpu.disposeData(o.dataId);
          return info;
        });
        for (const t of Object.values(ins)) if (t) cpu.disposeData(t.dataId);
        return Array.isArray(out) ? outs : outs[0];
      },
    });
  }
  await tf.setBackend('wasm');
  return { name: 'stock-wasm', tfBackend: 'wasm', device: `wasm (1 thread), ${forwarded.length} kernels forwarded to cpu` };
}

/**
 * Activates a backend by id and returns its BackendInfo, or throws with the reason it cannot run.
 * @param {string} id
 */
export async function activateBackend(id) {
  if (id === 'native') {
    const { nativeBackend } = await import('@kiln/plugin-backend-native');
    // KILN_NATIVE_SEARCH: a project folder holding tfjs-node outside the workspace (installNative({ cwd }))
    // so that an `npm install` at the root, which prunes a --no-save tfjs-node, cannot remove it mid-run.
    const p = nativeBackend('cpu', { searchPaths: process.env.KILN_NATIVE_SEARCH ? [process.env.KILN_NATIVE_SEARCH] : [] });
    const probe = await p.probe();
    if (!probe.ok) throw new Error(`${probe.reason} (fix: ${probe.fix})`);
    return p.activate(process.env.KILN_BENCH_NATIVE_FAST === '0' ? { fastGradients: false } : {});
  }
  if (id === 'kiln-wasm-1' || id === 'kiln-wasm-2') {
    const { wasmBackend } = await import('@kiln/plugin-backend-wasm');
    return wasmBackend.activate({ threads: id === 'kiln-wasm-2' ? 2 : 1 });
  }
  if (id === 'stock-wasm') return stockWasmWithForwarding();
  throw new Error(`unknown backend '${id}'`);
}
