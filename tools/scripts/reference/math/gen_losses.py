"""Loss fixtures: values and gradients (d sum(loss) / d yPred) of torch.nn.functional
cross_entropy / nll_loss / binary_cross_entropy(_with_logits), torchvision's sigmoid focal loss
formula, sklearn's compute_class_weight, and the soft Dice / Tversky formulas, all in torch float64.
Predictions are NHWC (class axis last) as in Kiln; they are permuted to NCHW for torch."""
import numpy as np
import sklearn
import torch
import torch.nn.functional as F
from sklearn.utils.class_weight import compute_class_weight

from common import arr, f32, rng, write

torch.set_default_dtype(torch.float64)
T = lambda a: torch.tensor(np.asarray(a), dtype=torch.float64)  # noqa: E731
cases = []


def case(name, loss, options, y_true, y_pred, ref, y_true_dtype=None):
    """ref(pred: torch tensor requiring grad) -> loss tensor; the gradient is of its sum."""
    p = T(y_pred).requires_grad_(True)
    out = ref(p)
    out.sum().backward()
    cases.append({'name': name, 'loss': loss, 'options': options, 'yTrue': arr(y_true, y_true_dtype), 'yPred': arr(y_pred),
                  'expected': arr(out.detach().numpy()), 'grad': arr(p.grad.numpy())})


def cls_first(x):
    """NHWC -> NCHW for torch (class axis 1)."""
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x


def ce(target, **kw):
    """torch cross_entropy on logits; a float target is a probability target."""
    tgt = torch.tensor(np.asarray(target))
    tgt = cls_first(tgt.to(torch.float64)) if tgt.dtype.is_floating_point else tgt.to(torch.int64)
    # reduction 'none' on [N,C,H,W] gives [N,H,W]: already Kiln's per-pixel layout.
    return lambda p: F.cross_entropy(cls_first(p), tgt, **kw)


def nll_from_probs(target, **kw):
    """Cross-entropy of probabilities the PyTorch way: nll_loss(log(p))."""
    tgt = torch.tensor(np.asarray(target), dtype=torch.int64)
    return lambda p: F.nll_loss(cls_first(torch.log(torch.clamp(p, min=1e-7))), tgt, **kw)


def soft_ce_from_probs(target):
    t = T(target)
    return lambda p: -(t * torch.log(torch.clamp(p, min=1e-7))).sum(-1).mean()


def focal_sigmoid(target, alpha=0.25, gamma=2.0, logits=True, reduction='mean'):
    """torchvision.ops.sigmoid_focal_loss, written out (torchvision is not installed here)."""
    t = T(target)

    def f(x):
        p = torch.sigmoid(x) if logits else x
        c = F.binary_cross_entropy_with_logits(x, t, reduction='none') if logits else F.binary_cross_entropy(x, t, reduction='none')
        p_t = p * t + (1 - p) * (1 - t)
        loss = c * ((1 - p_t) ** gamma)
        if alpha is not None:
            loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
        return {'mean': loss.mean(), 'sum': loss.sum(), 'none': loss}[reduction]
    return f


def focal_softmax(onehot, gamma=2.0, alpha=None, reduction='mean'):
    t = T(onehot)

    def f(x):
        logp = F.log_softmax(x, -1)
        w = T(alpha) if alpha is not None else 1.0
        loss = -(t * w * (1 - logp.exp()) ** gamma * logp).sum(-1)
        return {'mean': loss.mean(), 'sum': loss.sum(), 'none': loss}[reduction]
    return f


def overlap(p, t, per_image=False):
    dims = tuple(range(1 if per_image else 0, p.dim() - 1))
    tp = (p * t).sum(dims)
    return tp, p.sum(dims) - tp, t.sum(dims) - tp


def dice(t, smooth=1.0, per_image=False, reduction='mean', act=None, drop_bg=False):
    t = T(t)

    def f(x):
        p = act(x) if act else x
        pp, tt = (p[..., 1:], t[..., 1:]) if drop_bg else (p, t)
        tp, fp, fn = overlap(pp, tt, per_image)
        loss = 1 - (2 * tp + smooth) / (2 * tp + fp + fn + smooth)
        return {'mean': loss.mean(), 'sum': loss.sum(), 'none': loss}[reduction]
    return f


def tversky(t, a, b, smooth=1.0, act=None):
    t = T(t)

    def f(x):
        tp, fp, fn = overlap(act(x) if act else x, t)
        return (1 - (tp + smooth) / (tp + a * fp + b * fn + smooth)).mean()
    return f


def softmax_last(x):
    return torch.softmax(x, -1)


def main():
    r = rng(4)
    n, c = 7, 4
    logits = f32(r.normal(0, 2, (n, c)))
    labels = r.integers(0, c, n).astype(np.int32)
    probs = f32(torch.softmax(T(logits), -1).numpy())
    w = [0.5, 2.0, 1.0, 3.0]
    for red in ['mean', 'sum', 'none']:
        case(f'ce logits {red}', 'cross-entropy', {'fromLogits': True, 'reduction': red}, labels, logits, ce(labels, reduction=red))
    case('ce probabilities', 'cross-entropy', {}, labels, probs, nll_from_probs(labels))
    case('ce probabilities with weights', 'cross-entropy', {'classWeights': w}, labels, probs, nll_from_probs(labels, weight=T(w)))
    case('ce float labels', 'cross-entropy', {'fromLogits': True}, labels.astype(np.float32), logits, ce(labels), 'float32')
    case('ce label smoothing', 'cross-entropy', {'fromLogits': True, 'labelSmoothing': 0.1}, labels, logits, ce(labels, label_smoothing=0.1))
    for red in ['mean', 'sum', 'none']:
        case(f'ce weights + smoothing {red}', 'cross-entropy', {'fromLogits': True, 'labelSmoothing': 0.2, 'classWeights': w, 'reduction': red},
             labels, logits, ce(labels, weight=T(w), label_smoothing=0.2, reduction=red))
    ign = labels.copy()
    ign[[1, 4]] = -100
    for red in ['mean', 'none']:
        case(f'ce ignore index {red}', 'cross-entropy',
             {'fromLogits': True, 'ignoreIndex': -100, 'classWeights': w, 'labelSmoothing': 0.1, 'reduction': red}, ign, logits,
             ce(ign, weight=T(w), label_smoothing=0.1, ignore_index=-100, reduction=red))
    # Soft targets: mixup of two one-hot label sets (lambda 0.7).
    other = np.roll(labels, 1)
    soft = f32(0.7 * np.eye(c)[labels] + 0.3 * np.eye(c)[other])
    case('ce soft targets (mixup)', 'cross-entropy', {'fromLogits': True}, soft, logits, ce(soft))
    case('ce soft targets + smoothing + weights sum', 'cross-entropy', {'fromLogits': True, 'labelSmoothing': 0.1, 'classWeights': w, 'reduction': 'sum'},
         soft, logits, ce(soft, label_smoothing=0.1, weight=T(w), reduction='sum'))
    case('ce soft targets from probabilities', 'cross-entropy', {}, soft, probs, soft_ce_from_probs(soft))
    # Balanced weights from the training labels, as scikit-learn computes them.
    train = r.integers(0, c, 50)
    counts = np.bincount(train, minlength=c).tolist()
    bal = compute_class_weight('balanced', classes=np.arange(c), y=train)
    case('ce balanced', 'cross-entropy', {'fromLogits': True, 'classWeights': 'balanced', 'classCounts': counts}, labels, logits, ce(labels, weight=T(bal)))
    # Unknown class (index 3) with its own weight; 'balanced' over the known classes only.
    known = train[train != 3]
    bal_known = compute_class_weight('balanced', classes=np.arange(3), y=known)
    w_unk = np.concatenate([bal_known, [0.2]])
    case('ce balanced + unknown class weight', 'cross-entropy',
         {'fromLogits': True, 'classWeights': 'balanced', 'classCounts': counts, 'unknownClass': {'index': 3, 'weight': 0.2}}, labels, logits, ce(labels, weight=T(w_unk)))
    case('ce unknown class weight only', 'cross-entropy', {'fromLogits': True, 'unknownClass': {'index': 0, 'weight': 0.3}}, labels, logits,
         ce(labels, weight=T([0.3, 1, 1, 1])))
    # Per-pixel: NHWC logits [2,3,5,3], targets [2,3,5] with ignore index 255.
    pl = f32(r.normal(0, 1.5, (2, 3, 5, 3)))
    pt = r.integers(0, 3, (2, 3, 5)).astype(np.int32)
    pt[0, 0, :2] = 255
    for red in ['mean', 'none']:
        case(f'ce per-pixel {red}', 'cross-entropy', {'fromLogits': True, 'ignoreIndex': 255, 'labelSmoothing': 0.05, 'reduction': red},
             pt, pl, ce(pt, ignore_index=255, label_smoothing=0.05, reduction=red))
    pt2 = r.integers(0, 3, (2, 3, 5)).astype(np.int32)
    case('ce per-pixel targets [N,H,W,1]', 'cross-entropy', {'fromLogits': True}, pt2[..., None], pl, ce(pt2))
    oh2 = f32(np.eye(3)[pt2])
    case('ce per-pixel one-hot logits', 'cross-entropy', {'fromLogits': True, 'labelSmoothing': 0.1}, oh2, pl, ce(oh2, label_smoothing=0.1))

    # Binary cross-entropy, per pixel on masks [N,H,W,1] and multi-label [N,L].
    ml = f32(r.normal(0, 2, (2, 4, 4, 1)))
    mt = (r.random((2, 4, 4, 1)) < 0.4).astype(np.float32)
    mp = f32(torch.sigmoid(T(ml)).numpy())
    for red in ['mean', 'sum', 'none']:
        case(f'bce logits mask {red}', 'bce', {'fromLogits': True, 'reduction': red}, mt, ml,
             lambda x, red=red: F.binary_cross_entropy_with_logits(x, T(mt), reduction=red))
    case('bce logits posWeight scalar', 'bce', {'fromLogits': True, 'posWeight': 3.0}, mt, ml,
         lambda x: F.binary_cross_entropy_with_logits(x, T(mt), pos_weight=T([3.0])))
    case('bce probabilities mask', 'bce', {}, mt, mp, lambda p: F.binary_cross_entropy(p, T(mt)))
    case('bce probabilities mask targets [N,H,W]', 'bce', {}, mt[..., 0], mp, lambda p: F.binary_cross_entropy(p, T(mt)))
    yl = f32(r.normal(0, 2, (6, 3)))
    yt = (r.random((6, 3)) < 0.3).astype(np.float32)
    pw, lw = [2.0, 0.5, 5.0], [1.0, 2.0, 0.5]
    for red in ['mean', 'none']:
        case(f'bce multi-label posWeight + weights {red}', 'bce', {'fromLogits': True, 'posWeight': pw, 'weights': lw, 'reduction': red}, yt, yl,
             lambda x, red=red: F.binary_cross_entropy_with_logits(x, T(yt), pos_weight=T(pw), weight=T(lw), reduction=red))
    ys = f32(r.random((6, 3)))
    yp = f32(torch.sigmoid(T(yl)).numpy())
    case('bce probabilities soft targets', 'bce', {}, ys, yp, lambda p: F.binary_cross_entropy(p, T(ys)))

    # Focal.
    case('focal sigmoid logits mask', 'focal', {'fromLogits': True}, mt, ml, focal_sigmoid(mt))
    case('focal sigmoid probabilities, no alpha, gamma 1.5, sum', 'focal', {'gamma': 1.5, 'alpha': None, 'reduction': 'sum'}, mt, mp,
         focal_sigmoid(mt, alpha=None, gamma=1.5, logits=False, reduction='sum'))
    case('focal multi-label logits none', 'focal', {'fromLogits': True, 'multiLabel': True, 'alpha': 0.6, 'reduction': 'none'}, yt, yl,
         focal_sigmoid(yt, alpha=0.6, reduction='none'))
    case('focal gamma 0 equals BCE', 'focal', {'fromLogits': True, 'gamma': 0, 'alpha': None}, mt, ml, focal_sigmoid(mt, alpha=None, gamma=0))
    case('focal softmax index targets', 'focal', {'fromLogits': True}, labels, logits, focal_softmax(np.eye(c)[labels]))
    case('focal softmax per-class alpha per-pixel', 'focal', {'fromLogits': True, 'alpha': [0.2, 0.3, 0.5], 'gamma': 3}, pt2, pl,
         focal_softmax(np.eye(3)[pt2], gamma=3, alpha=[0.2, 0.3, 0.5]))

    # Soft Dice / Tversky (formulas; class axis last).
    sig = torch.sigmoid
    case('dice binary probabilities', 'dice', {}, mt, mp, dice(mt))
    case('dice binary logits smooth 0', 'dice', {'fromLogits': True, 'smooth': 0}, mt, ml, dice(mt, smooth=0, act=sig))
    case('dice binary per image none', 'dice', {'perImage': True, 'reduction': 'none'}, mt, mp, dice(mt, per_image=True, reduction='none'))
    case('dice multi-class index targets', 'dice', {'fromLogits': True}, pt2, pl, dice(oh2, act=softmax_last))
    case('dice multi-class no background sum', 'dice', {'fromLogits': True, 'includeBackground': False, 'reduction': 'sum'}, pt2, pl,
         dice(oh2, reduction='sum', act=softmax_last, drop_bg=True))
    case('tversky binary', 'tversky', {'alpha': 0.3, 'beta': 0.7}, mt, mp, tversky(mt, 0.3, 0.7))
    case('tversky multi-class one-hot', 'tversky', {'fromLogits': True, 'alpha': 0.7, 'beta': 0.3, 'smooth': 0.5}, oh2, pl, tversky(oh2, 0.7, 0.3, 0.5, act=softmax_last))
    case('bce-dice', 'bce-dice', {'fromLogits': True, 'bceWeight': 0.5, 'diceWeight': 2.0}, mt, ml,
         lambda x: 0.5 * F.binary_cross_entropy_with_logits(x, T(mt)) + 2.0 * dice(mt, act=sig)(x))
    case('weighted-sum focal + tversky', 'weighted-sum',
         {'losses': [{'name': 'focal', 'weight': 1.0, 'options': {'fromLogits': True}},
                     {'name': 'tversky', 'weight': 0.5, 'options': {'fromLogits': True, 'alpha': 0.3, 'beta': 0.7}}]}, mt, ml,
         lambda x: focal_sigmoid(mt)(x) + 0.5 * tversky(mt, 0.3, 0.7, act=sig)(x))

    write('packages/losses/test/fixtures/losses.json', {
        'meta': {'torch': torch.__version__, 'sklearn': sklearn.__version__, 'generator': 'tools/scripts/reference/math/gen_losses.py'},
        'cases': cases,
    })


if __name__ == '__main__':
    main()
