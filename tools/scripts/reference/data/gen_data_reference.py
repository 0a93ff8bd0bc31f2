"""Reference values for @kiln/data tests, written to packages/data/src/__fixtures__/reference.json.

- bilinear / nearest-exact resize: torch.nn.functional.interpolate (align_corners=False, antialias=False)
  on small seeded arrays (HWC in the fixture, NCHW for torch);
- balanced class weights: sklearn.utils.class_weight.compute_class_weight('balanced');
- stratified subsample / split sizes are property-tested, not referenced (different RNGs).

Run: /tmp/venv-ref/bin/python tools/scripts/reference/data/gen_data_reference.py
"""
import json
import os

import numpy as np
import sklearn
import torch
import torch.nn.functional as F
from sklearn.utils.class_weight import compute_class_weight

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
OUT = os.path.join(ROOT, 'packages', 'data', 'src', '__fixtures__', 'reference.json')


def resize_case(rng, h, w, c, oh, ow, mode):
    x = rng.random((h, w, c)).astype(np.float32)
    t = torch.from_numpy(x.astype(np.float64)).permute(2, 0, 1).unsqueeze(0)
    kw = {'align_corners': False, 'antialias': False} if mode == 'bilinear' else {}
    y = F.interpolate(t, size=(oh, ow), mode=mode, **kw)[0].permute(1, 2, 0).numpy()
    return {'input': {'shape': [h, w, c], 'data': x.reshape(-1).tolist()}, 'size': [oh, ow], 'mode': mode,
            'output': y.reshape(-1).tolist()}


def main():
    rng = np.random.default_rng(20240601)
    resize = [
        resize_case(rng, 5, 7, 3, 3, 4, 'bilinear'),
        resize_case(rng, 5, 7, 1, 9, 11, 'bilinear'),
        resize_case(rng, 6, 4, 2, 13, 3, 'bilinear'),
        resize_case(rng, 5, 7, 1, 9, 11, 'nearest-exact'),
        resize_case(rng, 8, 8, 1, 3, 5, 'nearest-exact'),
    ]
    weights = []
    for n, k in [(50, 3), (17, 4), (200, 7)]:
        y = rng.integers(0, k, size=n)
        y[:k] = np.arange(k)  # every class present
        w = compute_class_weight('balanced', classes=np.arange(k), y=y)
        weights.append({'labels': y.tolist(), 'numClasses': k, 'weights': w.tolist()})
    data = {'generator': 'tools/scripts/reference/data/gen_data_reference.py',
            'versions': {'torch': torch.__version__, 'sklearn': sklearn.__version__},
            'resize': resize, 'classWeights': weights}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(data, f)
    print('wrote', OUT)


if __name__ == '__main__':
    main()
