// Benchmark models built with tfjs-layers (plain JS so the bench runs against dist/ without a TS runner).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const L = tfl.layers;
const convBnRelu = (h, filters, k = 3, strides = 1) => {
  h = L.conv2d({ filters, kernelSize: k, strides, padding: 'same', useBias: false }).apply(h);
  h = L.batchNormalization().apply(h);
  return L.reLU().apply(h);
};

/** UNet: `depth` levels of 2×(conv3×3-BN-ReLU), maxpool down, conv2dTranspose 2×2/2 up, sigmoid mask. */
export function unet({ size = 128, base = 16, depth = 4 } = {}) {
  const input = tfl.input({ shape: [size, size, 3] });
  let h = input;
  const skips = [];
  for (let i = 0; i < depth; i++) {
    h = convBnRelu(convBnRelu(h, base << i), base << i);
    skips.push(h);
    h = L.maxPooling2d({ poolSize: 2 }).apply(h);
  }
  h = convBnRelu(convBnRelu(h, base << depth), base << depth);
  for (let i = depth - 1; i >= 0; i--) {
    h = L.conv2dTranspose({ filters: base << i, kernelSize: 2, strides: 2, padding: 'same' }).apply(h);
    h = L.concatenate().apply([h, skips[i]]);
    h = convBnRelu(convBnRelu(h, base << i), base << i);
  }
  const out = L.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }).apply(h);
  return { model: tfl.model({ inputs: input, outputs: out }), kind: 'seg', size };
}

/** MobileNetV2-style: stem conv/2, inverted residual blocks (expand 1×1, depthwise 3×3, project 1×1, BN everywhere), GAP, dense. */
export function mobilenet({ size = 128, classes = 10 } = {}) {
  const input = tfl.input({ shape: [size, size, 3] });
  let h = convBnRelu(input, 16, 3, 2);
  const blocks = [[16, 1, 1], [24, 2, 4], [24, 1, 4], [32, 2, 4], [32, 1, 4], [64, 2, 4], [64, 1, 4], [96, 1, 4], [128, 2, 4]];
  let cin = 16;
  for (const [cout, stride, expand] of blocks) {
    const inp = h;
    let x = expand > 1 ? convBnRelu(h, cin * expand, 1) : h;
    x = L.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false }).apply(x);
    x = L.reLU().apply(L.batchNormalization().apply(x));
    x = L.batchNormalization().apply(L.conv2d({ filters: cout, kernelSize: 1, useBias: false }).apply(x));
    h = stride === 1 && cin === cout ? L.add().apply([inp, x]) : x;
    cin = cout;
  }
  h = L.globalAveragePooling2d({}).apply(convBnRelu(h, 256, 1));
  const out = L.dense({ units: classes, activation: 'softmax' }).apply(h);
  return { model: tfl.model({ inputs: input, outputs: out }), kind: 'cls', size, classes };
}

/** Small CNN (64², conv16-BN-ReLU-pool-conv32-ReLU-GAP-dense). */
export function smallCnn({ size = 64, classes = 5 } = {}) {
  const input = tfl.input({ shape: [size, size, 3] });
  let h = L.maxPooling2d({ poolSize: 2 }).apply(convBnRelu(input, 16));
  h = L.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(h);
  const out = L.dense({ units: classes, activation: 'softmax' }).apply(L.globalAveragePooling2d({}).apply(h));
  return { model: tfl.model({ inputs: input, outputs: out }), kind: 'cls', size, classes };
}

/** One training step function (Adam, BCE or CE), everything in tidy; returns the loss value. */
export function makeStep({ model, kind, size, classes }, batch) {
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1);
  const y = kind === 'seg'
    ? tf.cast(tf.greater(tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 2), 0.5), 'float32')
    : tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classes), 'int32'), classes);
  const loss = () => {
    const p = model.apply(x, { training: true });
    return kind === 'seg' ? tf.losses.sigmoidCrossEntropy(y, tf.log(tf.div(p, tf.sub(1 + 1e-6, p)))) : tf.losses.softmaxCrossEntropy(y, tf.log(tf.add(p, 1e-7)));
  };
  const step = () => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss);
    optimizer.applyGradients(grads);
    return value;
  });
  const dispose = () => { tf.dispose([x, y]); optimizer.dispose(); };
  return { step, dispose };
}
