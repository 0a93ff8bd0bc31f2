"""Generates src/test-utils/fixtures/early-stopping-keras.json: what Keras' EarlyStopping does for
given metric sequences (stop epoch, best epoch, which epoch's weights are restored).

Run: python3 -m venv /tmp/venv-cb && /tmp/venv-cb/bin/pip install keras torch numpy
     KERAS_BACKEND=torch /tmp/venv-cb/bin/python packages/callbacks/reference/early_stopping_keras.py
"""
import json
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402

CASES = [
    dict(opts=dict(patience=2), values=[1, 0.9, 0.95, 0.91, 0.92, 0.5]),
    dict(opts=dict(patience=2, min_delta=0.05), values=[1, 0.9, 0.89, 0.88, 0.1]),
    dict(opts=dict(patience=1, mode="max", monitor="val_dice"), values=[0.5, 0.6, 0.55, 0.7]),
    dict(opts=dict(patience=2, baseline=0.5), values=[1, 0.9, 0.95]),
    dict(opts=dict(patience=2, baseline=0.95), values=[1, 0.9, 0.8, 0.7, 0.71, 0.72]),
    dict(opts=dict(patience=2, restore_best_weights=True), values=[1, 0.5, 0.7, 0.8, 0.9]),
    dict(opts=dict(patience=0), values=[1, 1.1, 1.2]),
    dict(opts=dict(patience=1, start_from_epoch=2), values=[1, 2, 3, 2.5, 2.6]),
    dict(opts=dict(patience=0, mode="max", baseline=0.9, monitor="val_dice"), values=[0.5, 0.4]),
    dict(opts=dict(patience=3, restore_best_weights=True), values=[1, 0.4, 0.6, 0.5, 0.7, 0.8, 0.9]),
    dict(opts=dict(patience=2, baseline=0.5, restore_best_weights=True), values=[1, 0.9, 0.95, 0.97]),
    dict(opts=dict(patience=1, min_delta=0.1, mode="max", monitor="val_dice"), values=[0.1, 0.25, 0.3, 0.36, 0.37]),
]


def run(case):
    opts = dict(case["opts"])
    monitor = opts.setdefault("monitor", "val_loss")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    cb = keras.callbacks.EarlyStopping(**opts)
    cb.set_model(model)
    model.stop_training = False
    cb.on_train_begin()
    stopped = -1
    for epoch, value in enumerate(case["values"]):
        model.set_weights([np.full(w.shape, epoch, dtype="float32") for w in model.get_weights()])
        cb.on_epoch_end(epoch, {"loss": 1.0, monitor: float(value)})
        if model.stop_training:
            stopped = epoch
            break
    cb.on_train_end()
    weights_epoch = float(model.get_weights()[0].flat[0])
    return dict(stopped=stopped, best_epoch=int(cb.best_epoch), best=float(cb.best), weights_epoch=weights_epoch)


out = [dict(case, expected=run(case)) for case in CASES]
dest = pathlib.Path(__file__).resolve().parents[1] / "src/test-utils/fixtures/early-stopping-keras.json"
dest.write_text(json.dumps(dict(generator="keras " + keras.__version__, cases=out), indent=1) + "\n")
print(f"wrote {dest}")
