"""Optimizer and clipping fixtures: torch.optim updates on fixed gradient sequences (two
parameter groups with their own LR / weight decay; LRs changed between steps as a schedule
would), and torch.nn.utils.clip_grad_norm_ / clip_grad_value_."""
import numpy as np
import torch

from common import arr, f32, rng, write

torch.set_default_dtype(torch.float64)
SHAPES = {'backbone/w': (3, 2), 'backbone/b': (2,), 'head/w': (2, 2)}
GROUPS = [('backbone', ['backbone/w', 'backbone/b']), ('head', ['head/w'])]
STEPS = 5


def run(name, make_opt, group_opts, options, seed, missing=()):
    """missing: (step, variable) pairs whose gradient is None at that step (torch skips them)."""
    r = rng(seed)
    init = {k: f32(r.normal(0, 1, s)) for k, s in SHAPES.items()}
    grads = [{k: f32(r.normal(0, 1, s)) for k, s in SHAPES.items()} for _ in range(STEPS)]
    for i, k in missing:
        del grads[i][k]
    # LR per step per group: a schedule changes the LR before step 3.
    lrs = [[g['lr'] * (0.5 if i >= 3 else 1.0) for g in group_opts] for i in range(STEPS)]
    params = {k: torch.nn.Parameter(torch.tensor(v)) for k, v in init.items()}
    opt = make_opt([{'params': [params[k] for k in names], **go} for (_, names), go in zip(GROUPS, group_opts)])
    expected = []
    for i in range(STEPS):
        for gi, g in enumerate(opt.param_groups):
            g['lr'] = lrs[i][gi]
        for k, p in params.items():
            p.grad = torch.tensor(grads[i][k]) if k in grads[i] else None
        opt.step()
        expected.append({k: arr(p.detach().numpy()) for k, p in params.items()})
    return {
        'name': name, 'optimizer': name.split(' ')[0], 'options': options,
        'groups': [{'name': gn, 'variables': names, **{('weightDecay' if k == 'weight_decay' else k): v for k, v in go.items() if k in ('lr', 'weight_decay')}}
                   for (gn, names), go in zip(GROUPS, group_opts)],
        'init': {k: arr(v) for k, v in init.items()},
        'grads': [{k: arr(v) for k, v in g.items()} for g in grads],
        'lrs': lrs,
        'expected': expected,
    }


def main():
    O = torch.optim
    cases = [
        run('adam', lambda g: O.Adam(g), [{'lr': 0.01}, {'lr': 0.05}], {}, 1),
        run('adam L2 weight decay, betas, eps', lambda g: O.Adam(g, betas=(0.8, 0.99), eps=1e-6),
            [{'lr': 0.01, 'weight_decay': 0.1}, {'lr': 0.05, 'weight_decay': 0.0}], {'beta1': 0.8, 'beta2': 0.99, 'eps': 1e-6}, 2),
        run('adamw default decay', lambda g: O.AdamW(g, weight_decay=0.01), [{'lr': 0.01}, {'lr': 0.05}], {}, 3),
        run('adamw per-group decay', lambda g: O.AdamW(g), [{'lr': 0.01, 'weight_decay': 0.05}, {'lr': 0.1, 'weight_decay': 0.0}], {}, 4),
        run('adam a variable without gradient is skipped', lambda g: O.Adam(g), [{'lr': 0.01}, {'lr': 0.05}], {}, 5, missing=[(0, 'head/w'), (2, 'head/w')]),
        run('sgd plain', lambda g: O.SGD(g, lr=0.1), [{'lr': 0.1}, {'lr': 0.3}], {}, 6),
        run('sgd momentum + weight decay per group', lambda g: O.SGD(g, lr=0.1, momentum=0.9),
            [{'lr': 0.1, 'weight_decay': 1e-2}, {'lr': 0.3, 'weight_decay': 0.0}], {'momentum': 0.9}, 7),
        run('sgd momentum dampening', lambda g: O.SGD(g, lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.05),
            [{'lr': 0.1}, {'lr': 0.3}], {'momentum': 0.8, 'dampening': 0.3, 'weightDecay': 0.05}, 8),
        run('sgd nesterov', lambda g: O.SGD(g, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
            [{'lr': 0.1}, {'lr': 0.3}], {'momentum': 0.9, 'nesterov': True, 'weightDecay': 1e-3}, 9, missing=[(1, 'backbone/b')]),
        run('rmsprop', lambda g: O.RMSprop(g, lr=0.01), [{'lr': 0.01}, {'lr': 0.02}], {}, 10),
        run('rmsprop centered momentum weight decay', lambda g: O.RMSprop(g, lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1, eps=1e-6),
            [{'lr': 0.01}, {'lr': 0.02}], {'alpha': 0.9, 'momentum': 0.5, 'centered': True, 'weightDecay': 0.1, 'eps': 1e-6}, 11),
    ]
    write('packages/core-trainer/src/optim/fixtures/optim.json', {
        'meta': {'torch': torch.__version__, 'generator': 'tools/scripts/reference/math/gen_optim.py'},
        'cases': cases,
    })

    # Gradient clipping: torch.nn.utils.clip_grad_norm_ / clip_grad_value_ on copies of the same gradients.
    r = rng(12)
    grads = {k: f32(r.normal(0, 1, s)) for k, s in SHAPES.items()}
    clip = []
    for max_norm, norm_type in [(1.0, 2.0), (0.5, 1.0), (0.3, 'inf'), (100.0, 2.0), (2.0, 3.0)]:
        ps = {k: torch.nn.Parameter(torch.zeros(v.shape)) for k, v in grads.items()}
        for k, p in ps.items():
            p.grad = torch.tensor(grads[k])
        total = torch.nn.utils.clip_grad_norm_(list(ps.values()), max_norm, norm_type=float('inf') if norm_type == 'inf' else norm_type)
        clip.append({'kind': 'norm', 'maxNorm': max_norm, 'normType': norm_type, 'norm': float(total),
                     'expected': {k: arr(p.grad.numpy()) for k, p in ps.items()}})
    for value in [0.5, 1.2]:
        ps = {k: torch.nn.Parameter(torch.zeros(v.shape)) for k, v in grads.items()}
        for k, p in ps.items():
            p.grad = torch.tensor(grads[k])
        torch.nn.utils.clip_grad_value_(list(ps.values()), value)
        clip.append({'kind': 'value', 'value': value, 'expected': {k: arr(p.grad.numpy()) for k, p in ps.items()}})
    write('packages/core-trainer/src/optim/fixtures/clip.json', {
        'meta': {'torch': torch.__version__, 'generator': 'tools/scripts/reference/math/gen_optim.py'},
        'grads': {k: arr(v) for k, v in grads.items()},
        'cases': clip,
    })


if __name__ == '__main__':
    main()
