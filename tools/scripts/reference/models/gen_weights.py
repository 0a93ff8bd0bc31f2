"""Writes Keras weight fixtures for Kiln's weight-loading tests.

Each fixture is a Keras model built in the local wheel environment with randomised weights
(batch-norm statistics and Normalization mean/variance included, so every weight slot matters),
saved as a Keras 3 `.weights.h5` file, plus a JSON file holding a fixed input and the model's
inference output on it (float32, base64). Real keras.applications models are truncated after an
early stage so the files stay small (< 1.5 MB each).

Run (offline, from the local wheels):
  python3 -m venv /tmp/venv-keras && /tmp/venv-keras/bin/pip install keras tensorflow-cpu h5py
  KERAS_BACKEND=tensorflow /tmp/venv-keras/bin/python tools/scripts/reference/models/gen_weights.py
"""
import base64
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
rng = np.random.default_rng(20240611)


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def randomise(model):
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            c = layer.gamma.shape[0]
            layer.set_weights([rng.uniform(0.5, 1.5, c), rng.normal(0, 0.1, c), rng.normal(0, 0.1, c), rng.uniform(0.5, 1.5, c)])
        elif isinstance(layer, layers.Normalization):
            c = layer.get_weights()[0].shape
            layer.set_weights([rng.uniform(90, 130, c), rng.uniform(2500, 4500, c), np.array(1000)])
            layer.finalize_state()
        elif layer.weights:
            # keep the random init of kernels but give biases non-zero values
            layer.set_weights([w if w.ndim > 1 else rng.normal(0, 0.1, w.shape) for w in layer.get_weights()])


def write(folder, name, model, x, note):
    randomise(model)
    y = model(x, training=False).numpy()
    out = os.path.join(ROOT, folder)
    os.makedirs(out, exist_ok=True)
    model.save_weights(os.path.join(out, f"{name}.weights.h5"))
    meta = {
        "note": note, "keras": keras.__version__, "output": model.output.name if hasattr(model.output, "name") else None,
        "lastLayer": model.layers[-1].name, "params": int(model.count_params()),
        "inputShape": list(x.shape), "input": b64(x), "outputShape": list(y.shape), "outputs": b64(y),
    }
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(name, model.count_params(), "params", os.path.getsize(os.path.join(out, f"{name}.weights.h5")), "bytes", "|y| max", float(np.abs(y).max()))


def truncated(app, last, **kw):
    keras.backend.clear_session()
    base = app(weights=None, include_top=False, input_shape=(32, 32, 3), **kw)
    return keras.Model(base.input, base.get_layer(last).output, name=base.name)


apps = keras.applications
x_pixels = rng.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
x_normal = rng.normal(0, 1, (2, 32, 32, 3)).astype("float32")
write("plugins/model-efficientnet/test/fixtures/keras-weights", "efficientnetb0-block2b", truncated(apps.EfficientNetB0, "block2b_add"), x_pixels,
      "keras.applications.EfficientNetB0(weights=None, include_top=False, input_shape=(32,32,3)) up to block2b_add")
write("plugins/model-chexnet/test/fixtures/keras-weights", "densenet121-pool2", truncated(apps.DenseNet121, "pool2_pool"), x_normal,
      "keras.applications.DenseNet121(weights=None, include_top=False, input_shape=(32,32,3)) up to pool2_pool")
write("plugins/model-chexnet/test/fixtures/keras-weights", "resnet50-conv2", truncated(apps.ResNet50, "conv2_block3_out"), x_normal,
      "keras.applications.ResNet50(weights=None, include_top=False, input_shape=(32,32,3)) up to conv2_block3_out")

# A tiny hand-made model covering the layer kinds the loader maps (conv + bias, batch norm,
# depthwise conv, dense), for @kiln/core-trainer's own tests.
keras.backend.clear_session()
inp = keras.Input((8, 8, 2), name="input_layer")
h = layers.Conv2D(4, 3, padding="same", name="conv")(inp)
h = layers.BatchNormalization(name="bn")(h)
h = layers.Activation("relu", name="relu")(h)
h = layers.DepthwiseConv2D(3, padding="same", use_bias=False, name="dw")(h)
h = layers.GlobalAveragePooling2D(name="gap")(h)
h = layers.Dense(3, activation="softmax", name="predictions")(h)
tiny = keras.Model(inp, h, name="tiny")
write("packages/core-trainer/src/weights/test-utils", "tiny", tiny, rng.normal(0, 1, (2, 8, 8, 2)).astype("float32"),
      "conv(4,3x3)+bn+relu+depthwise(3x3, no bias)+gap+dense(3, softmax) on 8x8x2")
