import * as tf from '@tensorflow/tfjs-core';
import { type TapeNodeLike, patchCall, recordingTape, singleInput } from './layers-routing.js';

/**
 * Skips the input gradient of convolutions whose input does not depend on a variable.
 *
 * tfjs-layers' Conv2D runs `tf.fused.conv2d`, and in training (linear activation: conv followed
 * by batch norm, or a bare conv) its gradient computes the gradients for the input and the filter
 * together. For the first convolution of a network the input is the image batch, so backprop runs
 * a full-resolution transposed convolution whose result nobody reads: about 5 % of a small CNN's
 * step. TensorFlow's graph mode prunes that work; tfjs's eager tape cannot see it inside the fused
 * op's gradient.
 *
 * `routeConvInputGradients(layers)` makes such Conv2D layers run `tf.conv2d` (plus the bias add)
 * instead: the same forward maths, but with tfjs's registered per-input gradient, which backprop
 * only evaluates for inputs that lead to a variable. Every other call (inference, non-linear
 * activations, channels-first, inputs that depend on a variable) keeps tfjs-layers' own code.
 */

/** The fields of a tfjs-layers Conv2D layer the routed path reads. */
interface ConvLayer {
  rank: number;
  kernel: { read(): tf.Tensor } | null;
  bias: { read(): tf.Tensor } | null;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  activation: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor } | null;
}

/** Tape nodes examined per call before assuming the input depends on a variable (bounds the cost). */
const MAX_VISITS = 64;

/**
 * True unless `x` provably does not depend on any variable on the active gradient tape: it is not
 * a variable and no chain of recorded ops leads to it from one. Conservative: an undecided walk
 * (more than MAX_VISITS nodes) answers true, which keeps tfjs-layers' behaviour.
 */
export function dependsOnVariable(x: tf.Tensor, tape: readonly TapeNodeLike[]): boolean {
  const seen = new Set<number>();
  const pending: tf.Tensor[] = [x];
  let visits = 0;
  while (pending.length > 0) {
    const t = pending.pop()!;
    if (t instanceof tf.Variable) return true;
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    // Outputs are usually recorded just before they are used, so search from the end.
    let producer: TapeNodeLike | undefined;
    for (let i = tape.length - 1; i >= 0 && producer === undefined; i--) {
      if (tape[i]!.outputs.some((o) => o.id === t.id)) producer = tape[i];
    }
    if (producer === undefined) continue; // made before the tape started: a constant here
    if (++visits > MAX_VISITS) return true;
    for (const input of Object.values(producer.inputs)) if (input) pending.push(input);
  }
  return false;
}

/**
 * Routes tfjs-layers' Conv2D as described above. Idempotent; backend plugins call it when they
 * activate. Gradients for the filter and the bias, and the forward result, are unchanged.
 * @param layers the `@tensorflow/tfjs-layers` module whose models should use it.
 */
export function routeConvInputGradients(layers: { layers: { conv2d(args: object): unknown } }): void {
  patchCall<ConvLayer>(Object.getPrototypeOf(layers.layers.conv2d({ filters: 1, kernelSize: 1 })), '__kilnConvInputGradient', (original) =>
    function routedCall(inputs, kwargs) {
      const x = singleInput(inputs);
      const tape = recordingTape();
      const eligible = x !== undefined && tape !== undefined && x.rank === 4 && this.rank === 2 && this.kernel !== null &&
        this.dataFormat === 'channelsLast' && (this.padding === 'same' || this.padding === 'valid') &&
        (this.activation === null || this.activation.getClassName() === 'linear') && !dependsOnVariable(x, tape);
      if (!eligible) return original.call(this, inputs, kwargs);
      return tf.tidy(() => {
        const dilations = (Array.isArray(this.dilationRate) ? this.dilationRate : [this.dilationRate, this.dilationRate]) as [number, number];
        const y = tf.conv2d(x as tf.Tensor4D, this.kernel!.read() as tf.Tensor4D, this.strides as [number, number],
          this.padding as 'same' | 'valid', 'NHWC', dilations);
        return this.bias ? tf.add(y, this.bias.read()) : y;
      });
    });
}
