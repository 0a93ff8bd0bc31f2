"""Writes the Keras architecture fixtures the Kiln model plugins are tested against.

For every keras.applications model Kiln reproduces it records, with the ImageNet top (1000 classes)
and the default input size: total / trainable / non-trainable parameter counts and, per layer,
name, class name, output shape (batch dimension dropped) and parameter count.

Run (offline, from the local wheels):
  python3 -m venv /tmp/venv-keras && /tmp/venv-keras/bin/pip install keras tensorflow-cpu h5py
  KERAS_BACKEND=tensorflow /tmp/venv-keras/bin/python tools/scripts/reference/models/gen_architectures.py
Outputs:
  plugins/model-efficientnet/test/fixtures/keras-efficientnet.json
  plugins/model-chexnet/test/fixtures/keras-densenet-resnet.json
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def count(weights):
    return int(sum(int(w.numpy().size) if hasattr(w, "numpy") else int(w.size) for w in weights))


def describe(build):
    keras.backend.clear_session()  # auto-generated layer names restart (zero_padding2d, …)
    model = build()
    layers = []
    for layer in model.layers:
        shape = layer.output.shape
        layers.append([layer.name, layer.__class__.__name__, [d for d in shape[1:]], count(layer.weights)])
    return {
        "keras": keras.__version__,
        "inputShape": list(model.input.shape[1:]),
        "totalParams": count(model.weights),
        "trainableParams": count(model.trainable_weights),
        "nonTrainableParams": count(model.non_trainable_weights),
        "layers": layers,
    }


def dump(path, models):
    out = {}
    for name, build in models:
        print(name, file=sys.stderr)
        out[name] = describe(build)
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        # one layer per line keeps the file diff-friendly and compact
        f.write("{\n")
        for i, (name, d) in enumerate(out.items()):
            head = {k: v for k, v in d.items() if k != "layers"}
            f.write(f'"{name}": {json.dumps(head)[:-1]}, "layers": [\n')
            f.write(",\n".join(json.dumps(l, separators=(",", ":")) for l in d["layers"]))
            f.write("\n]}" + ("," if i < len(out) - 1 else "") + "\n")
        f.write("}\n")
    print("wrote", full, os.path.getsize(full), "bytes", file=sys.stderr)


apps = keras.applications
dump("plugins/model-efficientnet/test/fixtures/keras-efficientnet.json", [
    (f"b{i}", (lambda i=i: getattr(apps, f"EfficientNetB{i}")(weights=None))) for i in range(8)
])
dump("plugins/model-chexnet/test/fixtures/keras-densenet-resnet.json", [
    ("densenet121", lambda: apps.DenseNet121(weights=None)),
    ("densenet169", lambda: apps.DenseNet169(weights=None)),
    ("densenet201", lambda: apps.DenseNet201(weights=None)),
    ("resnet50", lambda: apps.ResNet50(weights=None)),
])
