"""Keras 3 side of the Kiln benchmark: the same models as src/models.mjs, trained with `fit`.

Prints one line `@@KERAS {json}`. Run by src/keras.mjs inside tools/bench/.venv-keras.
  python keras/bench_keras.py --models cnn,unet,mobilenet,efficientnet --budget 3 --repeats 4
"""
import argparse
import json
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402


def conv_bn_relu(x, f, k=3, s=1):
    x = layers.Conv2D(f, k, strides=s, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def cnn():
    inp = keras.Input((64, 64, 3))
    x = inp
    for f in (16, 32, 64, 128):
        x = layers.MaxPooling2D(2)(conv_bn_relu(x, f))
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inp, layers.Dense(10, activation="softmax")(x))


def unet():
    inp = keras.Input((128, 128, 3))
    skips, x = [], inp
    for f in (16, 32, 64):
        x = conv_bn_relu(conv_bn_relu(x, f), f)
        skips.append(x)
        x = layers.MaxPooling2D(2)(x)
    x = conv_bn_relu(conv_bn_relu(x, 128), 128)
    for f in (64, 32, 16):
        x = layers.Conv2DTranspose(f, 2, strides=2, padding="same")(x)
        x = layers.Concatenate()([x, skips.pop()])
        x = conv_bn_relu(conv_bn_relu(x, f), f)
    return keras.Model(inp, layers.Conv2D(1, 1, activation="sigmoid")(x))


def mobilenet():
    inp = keras.Input((96, 96, 3))
    x = layers.Conv2D(16, 3, strides=2, padding="same", use_bias=False)(inp)
    x = layers.ReLU(max_value=6)(layers.BatchNormalization()(x))
    for f, s in ((32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (256, 1), (512, 2)):
        x = layers.DepthwiseConv2D(3, strides=s, padding="same", use_bias=False)(x)
        x = layers.ReLU(max_value=6)(layers.BatchNormalization()(x))
        x = layers.Conv2D(f, 1, use_bias=False)(x)
        x = layers.ReLU(max_value=6)(layers.BatchNormalization()(x))
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inp, layers.Dense(10, activation="softmax")(x))


def efficientnet():
    return keras.applications.EfficientNetB0(weights=None, input_shape=(128, 128, 3), classes=10)


MODELS = {
    "cnn": (cnn, (64, 64, 3), 32, "cls"),
    "unet": (unet, (128, 128, 3), 8, "seg"),
    "mobilenet": (mobilenet, (96, 96, 3), 16, "cls"),
    "efficientnet": (efficientnet, (128, 128, 3), 8, "cls"),
}


def bench(name, budget, repeats):
    build, shape, batch, kind = MODELS[name]
    keras.utils.set_random_seed(1)
    model = build()
    loss = "categorical_crossentropy" if kind == "cls" else "binary_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
    rng = np.random.default_rng(1)
    max_steps = 60
    x = rng.random((batch * max_steps, *shape), dtype=np.float32)
    if kind == "cls":
        y = keras.utils.to_categorical(rng.integers(0, 10, batch * max_steps), 10).astype(np.float32)
    else:
        y = (rng.random((batch * max_steps, shape[0], shape[1], 1)) > 0.5).astype(np.float32)

    def fit(steps):
        t0 = time.perf_counter()
        model.fit(x[: steps * batch], y[: steps * batch], batch_size=batch, epochs=1, verbose=0, shuffle=False)
        return time.perf_counter() - t0

    fit(2)  # tracing / compilation
    step = fit(3) / 3
    steps = max(2, min(max_steps, round(budget / step)))
    # One untimed call of the timed length first: the first fit call after tracing runs slower
    # (CNN ~520 vs ~840 img/s here), and the tfjs side excludes its warm-up steps too.
    fit(steps)
    ips = [batch * steps / fit(steps) for _ in range(repeats)]
    return {"model": name, "imgPerSec": statistics.median(ips), "samples": ips, "steps": steps, "params": model.count_params()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="cnn,unet,mobilenet,efficientnet")
    ap.add_argument("--budget", type=float, default=3.0)
    ap.add_argument("--repeats", type=int, default=4)
    a = ap.parse_args()
    results = [bench(m, a.budget, a.repeats) for m in a.models.split(",") if m in MODELS]
    note = f"model.fit, jit_compile='auto', {os.cpu_count()} CPU threads"
    print("@@KERAS " + json.dumps({"keras": keras.__version__, "tensorflow": tf.__version__, "note": note, "results": results}), flush=True)


if __name__ == "__main__":
    main()
