"""Loss fixtures: torch.nn.functional cross_entropy / binary_cross_entropy(_with_logits),
sklearn compute_class_weight, and the soft Dice / Tversky / focal formulas evaluated in torch float64."""
import numpy as np
import sklearn
import torch
import torch.nn.functional as F
from sklearn.utils.class_weight import compute_class_weight

from common import arr, f32, rng, write

T = lambda a: torch.tensor(np.asarray(a), dtype=torch.float64)  # noqa: E731
cases = []


def case(name, loss, options, y_true, y_pred, expected, y_true_dtype=None):
    cases.append({'name': name, 'loss': loss, 'options': options, 'yTrue': arr(y_true, y_true_dtype),
                  'yPred': arr(y_pred), 'expected': arr(np.asarray(expected, dtype=np.float64))})


def nchw(x):
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x


def ce_ref(logits, target, from_logits=True, **kw):
    """torch cross_entropy on NHWC inputs (class axis last), logits or probabilities."""
    x = T(logits)
    inp = x if from_logits else torch.log(torch.clamp(x, min=1e-7))  # log-probs are valid "logits" for cross_entropy
    inp = nchw(inp) if inp.dim() == 4 else inp
    tgt = torch.tensor(target)
    if tgt.dtype.is_floating_point:
        tgt = nchw(tgt.to(torch.float64)) if tgt.dim() == 4 else tgt.to(torch.float64)
    out = F.cross_entropy(inp, tgt, **kw)
    return out.numpy()


def main():
    r = rng(4)
    n, c = 7, 4
    logits = f32(r.normal(0, 2, (n, c)))
    labels = r.integers(0, c, n).astype(np.int32)
    probs = f32(torch.softmax(T(logits), -1).numpy())
    w = [0.5, 2.0, 1.0, 3.0]
    for red in ['mean', 'sum', 'none']:
        case(f'ce logits {red}', 'cross-entropy', {'fromLogits': True, 'reduction': red}, labels, logits,
             ce_ref(logits, labels.astype(np.int64), reduction=red))
    case('ce probabilities', 'cross-entropy', {}, labels, probs, ce_ref(probs, labels.astype(np.int64), from_logits=False))
    case('ce float labels', 'cross-entropy', {'fromLogits': True}, labels.astype(np.float32), logits,
         ce_ref(logits, labels.astype(np.int64)), 'float32')
    case('ce label smoothing', 'cross-entropy', {'fromLogits': True, 'labelSmoothing': 0.1}, labels, logits,
         ce_ref(logits, labels.astype(np.int64), label_smoothing=0.1))
    for red in ['mean', 'sum', 'none']:
        case(f'ce weights + smoothing {red}', 'cross-entropy',
             {'fromLogits': True, 'labelSmoothing': 0.2, 'classWeights': w, 'reduction': red}, labels, logits,
             ce_ref(logits, labels.astype(np.int64), weight=T(w), label_smoothing=0.2, reduction=red))
    ign = labels.copy()
    ign[[1, 4]] = -100
    for red in ['mean', 'none']:
        case(f'ce ignore index {red}', 'cross-entropy',
             {'fromLogits': True, 'ignoreIndex': -100, 'classWeights': w, 'labelSmoothing': 0.1, 'reduction': red}, ign, logits,
             ce_ref(logits, ign.astype(np.int64), weight=T(w), label_smoothing=0.1, ignore_index=-100, reduction=red))
    # Soft targets: mixup of two one-hot label sets.
    lam = 0.7
    other = np.roll(labels, 1)
    soft = f32(lam * np.eye(c)[labels] + (1 - lam) * np.eye(c)[other])
    case('ce soft targets (mixup)', 'cross-entropy', {'fromLogits': True}, soft, logits, ce_ref(logits, soft))
    case('ce soft targets + smoothing + weights sum', 'cross-entropy',
         {'fromLogits': True, 'labelSmoothing': 0.1, 'classWeights': w, 'reduction': 'sum'}, soft, logits,
         ce_ref(logits, soft, label_smoothing=0.1, weight=T(w), reduction='sum'))
    # Balanced weights from the training labels, as scikit-learn computes them.
    train = r.integers(0, c, 50)
    counts = np.bincount(train, minlength=c).tolist()
    bal = compute_class_weight('balanced', classes=np.arange(c), y=train)
    case('ce balanced', 'cross-entropy', {'fromLogits': True, 'classWeights': 'balanced', 'classCounts': counts}, labels, logits,
         ce_ref(logits, labels.astype(np.int64), weight=T(bal)))
    # Per-pixel: NHWC logits [2,3,5,3], targets [2,3,5] with ignore index 255.
    pl = f32(r.normal(0, 1.5, (2, 3, 5, 3)))
    pt = r.integers(0, 3, (2, 3, 5)).astype(np.int32)
    pt[0, 0, :2] = 255
    for red in ['mean', 'none']:
        case(f'ce per-pixel {red}', 'cross-entropy', {'fromLogits': True, 'ignoreIndex': 255, 'labelSmoothing': 0.05, 'reduction': red},
             pt, pl, ce_ref(pl, pt.astype(np.int64), ignore_index=255, label_smoothing=0.05, reduction=red))
    pt2 = r.integers(0, 3, (2, 3, 5)).astype(np.int32)
    case('ce per-pixel targets [N,H,W,1]', 'cross-entropy', {'fromLogits': True}, pt2[..., None], pl, ce_ref(pl, pt2.astype(np.int64)))
    pp = f32(torch.softmax(T(pl), -1).numpy())
    case('ce per-pixel one-hot probabilities', 'cross-entropy', {}, f32(np.eye(3)[pt2]), pp, ce_ref(pp, np.eye(3)[pt2], from_logits=False))

    # Binary cross-entropy.
    ml = f32(r.normal(0, 2, (2, 4, 4, 1)))
    mt = (r.random((2, 4, 4, 1)) < 0.4).astype(np.float32)
    for red in ['mean', 'sum', 'none']:
        case(f'bce logits mask {red}', 'bce', {'fromLogits': True, 'reduction': red}, mt, ml,
             F.binary_cross_entropy_with_logits(T(ml), T(mt), reduction=red).numpy())
    case('bce logits posWeight scalar', 'bce', {'fromLogits': True, 'posWeight': 3.0}, mt, ml,
         F.binary_cross_entropy_with_logits(T(ml), T(mt), pos_weight=T([3.0])).numpy())
    mp = f32(torch.sigmoid(T(ml)).numpy())
    case('bce probabilities mask', 'bce', {}, mt, mp, F.binary_cross_entropy(T(mp), T(mt)).numpy())
    case('bce probabilities mask targets [N,H,W]', 'bce', {}, mt[..., 0], mp, F.binary_cross_entropy(T(mp), T(mt)).numpy())
    yl = f32(r.normal(0, 2, (6, 3)))
    yt = (r.random((6, 3)) < 0.3).astype(np.float32)
    pw, lw = [2.0, 0.5, 5.0], [1.0, 2.0, 0.5]
    for red in ['mean', 'none']:
        case(f'bce multi-label posWeight + weights {red}', 'bce', {'fromLogits': True, 'posWeight': pw, 'weights': lw, 'reduction': red}, yt, yl,
             F.binary_cross_entropy_with_logits(T(yl), T(yt), pos_weight=T(pw), weight=T(lw), reduction=red).numpy())
    ys = f32(r.random((6, 3)))
    yp = f32(torch.sigmoid(T(yl)).numpy())
    case('bce probabilities soft targets', 'bce', {}, ys, yp, F.binary_cross_entropy(T(yp), T(ys)).numpy())

    # Soft Dice / Tversky: formulas in torch float64 (no library reference); class axis last.
    def overlap(p, t, per_image=False):
        dims = tuple(range(1 if per_image else 0, p.dim() - 1))
        tp = (p * t).sum(dims)
        return tp, p.sum(dims) - tp, t.sum(dims) - tp

    def dice_ref(p, t, smooth=1.0, per_image=False, reduction='mean'):
        tp, fp, fn = overlap(p, t, per_image)
        loss = 1 - (2 * tp + smooth) / (2 * tp + fp + fn + smooth)
        return {'mean': loss.mean(), 'sum': loss.sum(), 'none': loss}[reduction].numpy()

    def tversky_ref(p, t, a, b, smooth=1.0):
        tp, fp, fn = overlap(p, t)
        return (1 - (tp + smooth) / (tp + a * fp + b * fn + smooth)).mean().numpy()

    case('dice binary probabilities', 'dice', {}, mt, mp, dice_ref(T(mp), T(mt)))
    case('dice binary logits smooth 0', 'dice', {'fromLogits': True, 'smooth': 0}, mt, ml, dice_ref(torch.sigmoid(T(ml)), T(mt), smooth=0))
    case('dice binary per image none', 'dice', {'perImage': True, 'reduction': 'none'}, mt, mp, dice_ref(T(mp), T(mt), per_image=True, reduction='none'))
    oh = T(np.eye(3)[pt2])
    case('dice multi-class index targets', 'dice', {'fromLogits': True}, pt2, pl, dice_ref(torch.softmax(T(pl), -1), oh))
    case('dice multi-class no background', 'dice', {'fromLogits': True, 'includeBackground': False, 'reduction': 'sum'}, pt2, pl,
         dice_ref(torch.softmax(T(pl), -1)[..., 1:], oh[..., 1:], reduction='sum'))
    case('tversky binary', 'tversky', {'alpha': 0.3, 'beta': 0.7}, mt, mp, tversky_ref(T(mp), T(mt), 0.3, 0.7))
    case('tversky multi-class one-hot', 'tversky', {'fromLogits': True, 'alpha': 0.7, 'beta': 0.3, 'smooth': 0.5}, f32(oh.numpy()), pl,
         tversky_ref(torch.softmax(T(pl), -1), oh, 0.7, 0.3, 0.5))
    bce = F.binary_cross_entropy_with_logits(T(ml), T(mt))
    case('bce-dice', 'bce-dice', {'fromLogits': True, 'bceWeight': 0.5, 'diceWeight': 2.0}, mt, ml,
         (0.5 * bce + 2.0 * torch.tensor(dice_ref(torch.sigmoid(T(ml)), T(mt)))).numpy())

    write('packages/losses/test/fixtures/losses.json', {
        'meta': {'torch': torch.__version__, 'sklearn': sklearn.__version__, 'generator': 'tools/scripts/reference/math/gen_losses.py'},
        'cases': cases,
    })


if __name__ == '__main__':
    main()
