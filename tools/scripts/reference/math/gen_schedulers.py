"""Scheduler fixtures: LR sequences of torch.optim.lr_scheduler, read with get_last_lr() before
the first step and after each step (PyTorch's order: optimizer.step(), then scheduler.step())."""
import warnings

import torch
from torch.optim import SGD
from torch.optim import lr_scheduler as S

from common import write

warnings.filterwarnings('ignore')
cases = []


def sequence(base_lr, make, steps, metrics=None):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = SGD([p], lr=base_lr)
    sched = make(opt)
    out = [sched.get_last_lr()[0] if hasattr(sched, 'get_last_lr') else opt.param_groups[0]['lr']]
    for i in range(steps):
        opt.step()
        if metrics is not None:
            sched.step(metrics[i])
        else:
            sched.step()
        out.append(opt.param_groups[0]['lr'])
    return out


def case(name, schedule, options, context, steps, make, metrics=None):
    cases.append({'name': name, 'schedule': schedule, 'options': options, 'context': context, 'metrics': metrics,
                  'expected': sequence(context['baseLr'], make, steps, metrics)})


def ctx(base_lr, steps_per_epoch, max_epochs):
    return {'baseLr': base_lr, 'stepsPerEpoch': steps_per_epoch, 'maxEpochs': max_epochs, 'totalSteps': steps_per_epoch * max_epochs}


def main():
    c = ctx(0.1, 10, 12)
    case('constant', 'constant', {}, c, 12, lambda o: S.LambdaLR(o, lambda e: 1.0))
    case('cosine per epoch, tMax = run length', 'cosine', {}, c, 12, lambda o: S.CosineAnnealingLR(o, T_max=12))
    case('cosine per step, tMax = total steps, etaMin', 'cosine', {'interval': 'step', 'etaMin': 0.001}, c, 120,
         lambda o: S.CosineAnnealingLR(o, T_max=120, eta_min=0.001))
    case('cosine past tMax continues periodically', 'cosine', {'tMax': 5, 'etaMin': 0.01}, c, 17,
         lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.01))

    case('step', 'step', {'stepSize': 3, 'gamma': 0.5}, c, 12, lambda o: S.StepLR(o, step_size=3, gamma=0.5))
    case('step per step', 'step', {'interval': 'step', 'stepSize': 25}, c, 120, lambda o: S.StepLR(o, step_size=25))
    case('multi-step', 'multi-step', {'milestones': [2, 5, 9], 'gamma': 0.3}, c, 12, lambda o: S.MultiStepLR(o, milestones=[2, 5, 9], gamma=0.3))
    case('exponential', 'exponential', {'gamma': 0.9}, c, 12, lambda o: S.ExponentialLR(o, gamma=0.9))
    case('polynomial, totalIters = run length', 'polynomial', {'power': 0.9}, c, 12, lambda o: S.PolynomialLR(o, total_iters=12, power=0.9))
    case('polynomial past totalIters stays 0', 'polynomial', {'totalIters': 6, 'power': 2.0}, c, 12, lambda o: S.PolynomialLR(o, total_iters=6, power=2.0))
    case('cosine warm restarts tMult 1', 'cosine-warm-restarts', {'t0': 4}, c, 12, lambda o: S.CosineAnnealingWarmRestarts(o, T_0=4))
    case('cosine warm restarts tMult 2 etaMin per step', 'cosine-warm-restarts', {'interval': 'step', 't0': 5, 'tMult': 2, 'etaMin': 0.002}, c, 80,
         lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.002))
    c1 = ctx(0.01, 25, 4)
    case('one-cycle cos (whole run)', 'one-cycle', {}, c1, 99, lambda o: S.OneCycleLR(o, max_lr=0.01, total_steps=100, cycle_momentum=False))
    case('one-cycle linear three-phase', 'one-cycle', {'annealStrategy': 'linear', 'threePhase': True, 'pctStart': 0.25, 'divFactor': 10, 'finalDivFactor': 100},
         c1, 99, lambda o: S.OneCycleLR(o, max_lr=0.01, total_steps=100, anneal_strategy='linear', three_phase=True, pct_start=0.25,
                                        div_factor=10, final_div_factor=100, cycle_momentum=False))
    c2 = ctx(0.1, 5, 20)
    case('warmup + cosine per step', 'warmup', {'interval': 'step', 'warmup': 10, 'startFactor': 0.1, 'schedule': {'name': 'cosine', 'etaMin': 0.001}}, c2, 100,
         lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=10), S.CosineAnnealingLR(o, T_max=90, eta_min=0.001)], milestones=[10]))
    case('warmup + multi-step per epoch', 'warmup', {'warmup': 3, 'startFactor': 0.25, 'schedule': {'name': 'multi-step', 'milestones': [5, 10]}}, c2, 20,
         lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, total_iters=3), S.MultiStepLR(o, milestones=[5, 10])], milestones=[3]))
    case('warmup + constant', 'warmup', {'warmup': 4}, c2, 10,
         lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.01, total_iters=4), S.ConstantLR(o, factor=1.0, total_iters=0)], milestones=[4]))
    # Reduce on plateau: a loss curve that improves, stalls, wiggles within threshold, then improves.
    loss = [1.0, 0.8, 0.7, 0.7, 0.69995, 0.71, 0.72, 0.6, 0.6, 0.6, 0.6, 0.6, 0.61, 0.62, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    n = len(loss)
    case('plateau min rel', 'reduce-on-plateau', {'patience': 2}, c, n, lambda o: S.ReduceLROnPlateau(o, patience=2), loss)
    case('plateau min abs, cooldown, minLr', 'reduce-on-plateau', {'patience': 1, 'threshold': 0.05, 'thresholdMode': 'abs', 'cooldown': 2, 'minLr': 0.004, 'factor': 0.5}, c, n,
         lambda o: S.ReduceLROnPlateau(o, patience=1, threshold=0.05, threshold_mode='abs', cooldown=2, min_lr=0.004, factor=0.5), loss)
    dice = [0.1, 0.3, 0.5, 0.5, 0.55, 0.55, 0.55, 0.54, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
    case('plateau max (Dice)', 'reduce-on-plateau', {'mode': 'max', 'patience': 1, 'factor': 0.2, 'threshold': 0.01}, c, len(dice),
         lambda o: S.ReduceLROnPlateau(o, mode='max', patience=1, factor=0.2, threshold=0.01), dice)

    write('packages/schedulers/test/fixtures/schedulers.json', {
        'meta': {'torch': torch.__version__, 'generator': 'tools/scripts/reference/math/gen_schedulers.py'},
        'cases': cases,
    })


if __name__ == '__main__':
    main()
