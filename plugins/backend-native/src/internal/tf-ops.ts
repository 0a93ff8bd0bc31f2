import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-node's NodeJSKernelBackend that Kiln's kernels call: raw TensorFlow ops by name. */
export interface NodeBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_FLOAT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_ATTR_INT: number; TF_FLOAT: number };
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: tf.TensorInfo[], n: number): tf.Tensor[];
}

/** Attributes of TensorFlow's FusedBatchNorm{V3,GradV2,GradV3} for float32 NHWC data. */
export function batchNormAttrs(b: NodeBackend, epsilon: number, isTraining: boolean): unknown[] {
  const B = b.binding;
  return [
    { name: 'T', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
    { name: 'U', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
    { name: 'epsilon', type: B.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: B.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: B.TF_ATTR_BOOL, value: isTraining },
  ];
}

const supported = new Map<string, boolean>();

/**
 * Whether this TensorFlow build runs the op `probe` calls (oneDNN's ops exist only where TensorFlow
 * was built with oneDNN, as the x86-64 wheels are). One trial run per key, with the backend active;
 * the answer is cached.
 */
export function tfSupports(key: string, probe: () => void): boolean {
  let ok = supported.get(key);
  if (ok === undefined) {
    try {
      tf.tidy(probe);
      ok = true;
    } catch {
      ok = false;
    }
    supported.set(key, ok);
  }
  return ok;
}

/** Attributes of oneDNN's native-format max pool and its gradient (workspace enabled). */
export function poolAttrs(b: NodeBackend, filter: [number, number], strides: [number, number], pad: 'valid' | 'same'): unknown[] {
  const B = b.binding;
  return [
    { name: 'T', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
    { name: 'ksize', type: B.TF_ATTR_INT, value: [1, filter[0], filter[1], 1] },
    { name: 'strides', type: B.TF_ATTR_INT, value: [1, strides[0], strides[1], 1] },
    { name: 'padding', type: B.TF_ATTR_STRING, value: pad.toUpperCase() },
    { name: 'data_format', type: B.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'workspace_enabled', type: B.TF_ATTR_BOOL, value: true },
    // oneDNN's "native format" kernels are registered under this label.
    { name: '_kernel', type: B.TF_ATTR_STRING, value: 'MklNameChangeOp' },
  ];
}

/** True when this TensorFlow runs oneDNN's native-format max pool (one trial run, then cached). */
export function hasOneDnnPooling(): boolean {
  return tfSupports('_MklNativeMaxPool', () => {
    const b = tf.engine().backend as unknown as NodeBackend;
    tf.dispose(b.executeMultipleOutputs('_MklNativeMaxPool', poolAttrs(b, [2, 2], [2, 2], 'valid'), [tf.ones([1, 2, 2, 1])], 2));
  });
}
