import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type Shape = tfl.Shape;

/**
 * Keras 3's `Normalization` layer (absent from tfjs-layers), per-channel on the last axis:
 * `(x - mean) / max(sqrt(variance), 1e-7)`. Like Keras it holds three non-trainable weights,
 * `mean` [C], `variance` [C] and `count` [] (int64 in Keras, float32 here), so parameter counts
 * and Keras weight files line up. Unloaded, mean is 0 and variance 1 (identity).
 */
export class KerasNormalization extends tfl.layers.Layer {
  static readonly className = 'Normalization';
  private mean?: tfl.LayerVariable;
  private variance?: tfl.LayerVariable;

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channels = shape[shape.length - 1] as number;
    this.mean = this.addWeight('mean', [channels], 'float32', tfl.initializers.zeros(), undefined, false);
    this.variance = this.addWeight('variance', [channels], 'float32', tfl.initializers.ones(), undefined, false);
    this.addWeight('count', [], 'float32', tfl.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => tf.div(tf.sub(x, this.mean!.read()), tf.maximum(tf.sqrt(this.variance!.read()), 1e-7)));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), axis: -1 };
  }
}

let registered = false;

/**
 * Registers the custom layers EfficientNet models use (`Normalization`) with tfjs serialization,
 * so `tfl.loadLayersModel` can read a saved EfficientNet. Idempotent; called by the builder and the
 * plugin's setup. A browser page loading an exported EfficientNet must register an equivalent class.
 * @example registerEfficientNetLayers(); const model = await tfl.loadLayersModel('file://…/model.json');
 */
export function registerEfficientNetLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(KerasNormalization);
  registered = true;
}
