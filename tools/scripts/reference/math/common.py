"""Shared helpers for the math fixture generators (PyTorch / scikit-learn references).

Inputs are drawn from a seeded numpy RNG and rounded to float32, so the TypeScript tests feed
tfjs exactly the values the reference saw; references compute in float64.
"""
import json
import os

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))


def rng(seed):
    return np.random.default_rng(seed)


def f32(x):
    """float32-rounded copy as float64 (what tfjs will see)."""
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def arr(x, dtype=None):
    """A tensor as {shape, dtype, data} with data flattened row-major."""
    a = np.asarray(x)
    if dtype is None:
        dtype = 'int32' if np.issubdtype(a.dtype, np.integer) else 'float32'
    data = a.reshape(-1).tolist()
    return {'shape': list(a.shape), 'dtype': dtype, 'data': data}


def write(rel_path, payload):
    path = os.path.join(ROOT, rel_path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(payload, f, indent=None, separators=(',', ':'))
        f.write('\n')
    print('wrote', rel_path)
