"""Metric fixtures: scikit-learn metrics on the whole dataset; the test streams it in batches."""
import numpy as np
import sklearn
from sklearn import metrics as skm

from common import arr, f32, rng, write

cases = []


def batches(y_true, y_pred, sizes, true_dtype=None):
    out, i = [], 0
    for s in sizes:
        out.append({'yTrue': arr(y_true[i:i + s], true_dtype), 'yPred': arr(y_pred[i:i + s])})
        i += s
    assert i == len(y_true)
    return out


def case(name, metric, options, parts, expected):
    cases.append({'name': name, 'metric': metric, 'options': options, 'batches': parts, 'expected': expected})


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def present_labels(t, p, c):
    return [k for k in range(c) if (t == k).any() or (p == k).any()]


def per_class(fn, t, p, labels, names=None):
    vals = fn(t, p, labels=labels, average=None, zero_division=0)
    return {(names[k] if names else str(k)): float(v) for k, v in zip(labels, vals)}


def main():
    r = rng(7)
    # Multi-class classification, 5 classes, 23 samples in batches 8/8/7.
    n, c = 23, 5
    scores = f32(softmax(r.normal(0, 1.5, (n, c))))
    y = r.integers(0, c, n).astype(np.int32)
    sizes = [8, 8, 7]
    pred = scores.argmax(-1)
    case('accuracy multi-class', 'accuracy', {}, batches(y, scores, sizes), skm.accuracy_score(y, pred))
    case('accuracy one-hot targets', 'accuracy', {}, batches(np.eye(c, dtype=np.float32)[y], scores, sizes), skm.accuracy_score(y, pred))
    for k in [2, 3]:
        case(f'top-{k} accuracy', 'accuracy', {'topK': k}, batches(y, scores, sizes),
             skm.top_k_accuracy_score(y, scores, k=k, labels=np.arange(c)))
    # Binary masks [N,H,W,1], probabilities thresholded at 0.5, batches 3/2.
    masks = (r.random((5, 6, 6, 1)) < 0.35).astype(np.float32)
    probs = f32(np.clip(masks * 0.55 + r.random(masks.shape) * 0.5, 0, 1))
    t, p = masks.reshape(-1).astype(int), (probs.reshape(-1) >= 0.5).astype(int)
    case('pixel accuracy binary masks', 'accuracy', {}, batches(masks, probs, [3, 2]), skm.accuracy_score(t, p))
    case('dice binary masks', 'dice', {}, batches(masks, probs, [3, 2]), skm.f1_score(t, p))
    case('iou binary masks', 'iou', {}, batches(masks, probs, [3, 2]), skm.jaccard_score(t, p))
    thr = 0.7
    pt = (probs.reshape(-1) >= thr).astype(int)
    case('dice binary threshold 0.7', 'dice', {'threshold': thr}, batches(masks, probs, [3, 2]), skm.f1_score(t, pt))
    logits = f32(np.log(np.clip(probs, 1e-4, 1 - 1e-4) / (1 - np.clip(probs, 1e-4, 1 - 1e-4))))
    pl = (1 / (1 + np.exp(-logits.reshape(-1))) >= 0.5).astype(int)
    case('dice binary from logits', 'dice', {'fromLogits': True}, batches(masks, logits, [3, 2]), skm.f1_score(t, pl))
    # Multi-class segmentation [N,H,W,4] with index targets; class 3 never occurs in targets or predictions.
    seg_t = r.integers(0, 3, (4, 5, 5)).astype(np.int32)
    logit = r.normal(0, 1, (4, 5, 5, 4))
    logit[..., 3] = -10
    logit += 2.0 * np.eye(4)[seg_t] * (r.random((4, 5, 5, 1)) < 0.7)
    seg_p = f32(softmax(logit))
    tt, pp = seg_t.reshape(-1), seg_p.argmax(-1).reshape(-1)
    labels = present_labels(tt, pp, 4)
    assert labels == [0, 1, 2]
    case('dice multi-class mean', 'dice', {}, batches(seg_t, seg_p, [2, 2]), skm.f1_score(tt, pp, labels=labels, average='macro'))
    case('dice multi-class per class', 'dice', {'perClass': True, 'classNames': ['bg', 'a', 'b', 'c']}, batches(seg_t, seg_p, [1, 3]),
         {'mean': skm.f1_score(tt, pp, labels=labels, average='macro'), **per_class(skm.f1_score, tt, pp, labels, ['bg', 'a', 'b', 'c'])})
    case('dice multi-class without background', 'dice', {'includeBackground': False}, batches(seg_t, seg_p, [2, 2]),
         skm.f1_score(tt, pp, labels=[1, 2], average='macro'))
    case('iou multi-class per class', 'iou', {'perClass': True}, batches(seg_t, seg_p, [3, 1]),
         {'mean': skm.jaccard_score(tt, pp, labels=labels, average='macro'), **per_class(skm.jaccard_score, tt, pp, labels)})
    case('pixel accuracy multi-class', 'accuracy', {}, batches(seg_t, seg_p, [2, 2]), skm.accuracy_score(tt, pp))
    case('pixel accuracy targets [N,H,W,1]', 'accuracy', {}, batches(seg_t[..., None], seg_p, [2, 2]), skm.accuracy_score(tt, pp))
    # Multi-label accuracy: each of the [N, L] outputs is a binary decision.
    ml_t = (r.random((9, 3)) < 0.4).astype(np.float32)
    ml_p = f32(r.random((9, 3)))
    case('accuracy multi-label elementwise', 'accuracy', {'task': 'multilabel'}, batches(ml_t, ml_p, [4, 5]),
         skm.accuracy_score(ml_t.reshape(-1), (ml_p.reshape(-1) >= 0.5).astype(int)))

    # Precision / recall / F1 / sensitivity / specificity.
    bin_t = (r.random(31) < 0.4).astype(np.float32)
    bin_p = f32(np.clip(bin_t * 0.3 + r.random(31) * 0.7, 0, 1))[:, None]
    bt, bp = bin_t.astype(int), (bin_p[:, 0] >= 0.5).astype(int)
    bsz = [10, 11, 10]
    for kind, fn in [('precision', skm.precision_score), ('recall', skm.recall_score), ('f1', skm.f1_score), ('sensitivity', skm.recall_score)]:
        case(f'{kind} binary', kind, {}, batches(bin_t, bin_p, bsz), fn(bt, bp))
    case('specificity binary', 'specificity', {}, batches(bin_t, bin_p, bsz), skm.recall_score(bt, bp, pos_label=0))
    case('precision binary threshold 0.3', 'precision', {'threshold': 0.3}, batches(bin_t, bin_p, bsz), skm.precision_score(bt, (bin_p[:, 0] >= 0.3).astype(int)))
    # Multi-class where class 4 is never predicted (zero division) and class 3 rare.
    mc_p = scores.copy()
    mc_p[:, 4] = 0
    mc_pred = mc_p.argmax(-1)
    labels_all = sorted(set(y.tolist()) | set(mc_pred.tolist()))
    for kind, fn in [('precision', skm.precision_score), ('recall', skm.recall_score), ('f1', skm.f1_score)]:
        for avg in ['micro', 'macro', 'weighted']:
            case(f'{kind} {avg}', kind, {'average': avg}, batches(y, mc_p, sizes), fn(y, mc_pred, average=avg, zero_division=0))
        case(f'{kind} per class', kind, {'average': 'none'}, batches(y, mc_p, sizes), per_class(fn, y, mc_pred, labels_all))
    case('precision macro zeroDivision 1', 'precision', {'average': 'macro', 'zeroDivision': 1}, batches(y, mc_p, sizes),
         skm.precision_score(y, mc_pred, average='macro', zero_division=1))
    mcm = skm.multilabel_confusion_matrix(y, mc_pred, labels=labels_all)
    spec = [tn / (tn + fp) for (tn, fp), _ in [(m[0], None) for m in mcm]]
    support = [int((y == k).sum()) for k in labels_all]
    case('specificity per class', 'specificity', {'average': 'none'}, batches(y, mc_p, sizes), {str(k): float(v) for k, v in zip(labels_all, spec)})
    case('specificity macro', 'specificity', {'average': 'macro'}, batches(y, mc_p, sizes), float(np.mean(spec)))
    case('specificity weighted', 'specificity', {'average': 'weighted'}, batches(y, mc_p, sizes), float(np.average(spec, weights=support)))
    case('sensitivity macro', 'sensitivity', {'average': 'macro'}, batches(y, mc_p, sizes), skm.recall_score(y, mc_pred, average='macro', zero_division=0))
    # Confusion matrix.
    cm = skm.confusion_matrix(y, mc_pred, labels=np.arange(c))
    case('confusion matrix', 'confusion-matrix', {}, batches(y, mc_p, sizes), {f'{i}_{j}': int(cm[i, j]) for i in range(c) for j in range(c)})
    cmn = skm.confusion_matrix(bt, bp, labels=[0, 1], normalize='true')
    case('confusion matrix binary normalized over true', 'confusion-matrix', {'normalize': 'true'}, batches(bin_t, bin_p, bsz),
         {f'{i}_{j}': float(cmn[i, j]) for i in range(2) for j in range(2)})

    # AUROC / average precision: binary with tied scores, one-vs-rest multi-class, multi-label.
    tie_p = f32(np.round(bin_p * 8) / 8)
    case('auroc binary with ties', 'auroc', {}, batches(bin_t, tie_p, bsz), skm.roc_auc_score(bt, tie_p[:, 0]))
    case('average precision binary with ties', 'average-precision', {}, batches(bin_t, tie_p, bsz), skm.average_precision_score(bt, tie_p[:, 0]))
    logit_b = f32(np.log(tie_p.clip(1e-3, 1 - 1e-3) / (1 - tie_p.clip(1e-3, 1 - 1e-3))))
    case('auroc binary from logits', 'auroc', {'fromLogits': True}, batches(bin_t, logit_b, bsz), skm.roc_auc_score(bt, logit_b[:, 0]))
    case('auroc multi-class one-vs-rest macro', 'auroc', {}, batches(y, scores, sizes), skm.roc_auc_score(y, scores.astype(np.float64), multi_class='ovr', average='macro', labels=np.arange(c)))
    case('auroc multi-class one-vs-rest weighted', 'auroc', {'average': 'weighted'}, batches(y, scores, sizes),
         skm.roc_auc_score(y, scores.astype(np.float64), multi_class='ovr', average='weighted', labels=np.arange(c)))
    yb = np.eye(c)[y]
    case('average precision multi-class one-vs-rest macro', 'average-precision', {}, batches(y, scores, sizes), skm.average_precision_score(yb, scores, average='macro'))
    ml_t2 = (r.random((40, 4)) < 0.3).astype(np.float32)
    ml_s2 = f32(np.clip(ml_t2 * 0.25 + r.random((40, 4)) * 0.75, 0, 1))
    msz = [16, 16, 8]
    for avg in ['macro', 'micro', 'weighted']:
        case(f'auroc multi-label {avg}', 'auroc', {'average': avg}, batches(ml_t2, ml_s2, msz), skm.roc_auc_score(ml_t2, ml_s2, average=avg))
        case(f'average precision multi-label {avg}', 'average-precision', {'average': avg}, batches(ml_t2, ml_s2, msz), skm.average_precision_score(ml_t2, ml_s2, average=avg))
    names4 = ['atelectasis', 'effusion', 'mass', 'nodule']
    case('auroc multi-label per label', 'auroc', {'average': 'none', 'classNames': names4}, batches(ml_t2, ml_s2, msz),
         {nm: float(v) for nm, v in zip(names4, skm.roc_auc_score(ml_t2, ml_s2, average=None))})
    # Threshold reaching a target sensitivity: first roc_curve point with tpr >= target.
    for target in [0.8, 0.95, 1.0]:
        fpr, tpr, thr = skm.roc_curve(bt, tie_p[:, 0], drop_intermediate=False)
        i = int(np.argmax(tpr >= target))
        case(f'threshold for sensitivity {target}', 'sensitivity-threshold', {'targetSensitivity': target}, batches(bin_t, tie_p, bsz),
             {'threshold': float(thr[i]), 'sensitivity': float(tpr[i]), 'specificity': float(1 - fpr[i])})
    fpr, tpr, thr = skm.roc_curve(ml_t2[:, 2], ml_s2[:, 2], drop_intermediate=False)
    i = int(np.argmax(tpr >= 0.9))
    case('threshold for sensitivity, multi-label column 2', 'sensitivity-threshold', {'targetSensitivity': 0.9, 'column': 2}, batches(ml_t2, ml_s2, msz),
         {'threshold': float(thr[i]), 'sensitivity': float(tpr[i]), 'specificity': float(1 - fpr[i])})

    # Regression (values around 1000: the streaming Pearson must not cancel).
    reg_t = f32(1000 + r.normal(0, 3, (3, 7)))
    reg_p = f32(reg_t + r.normal(0.5, 1.5, (3, 7)))
    ft, fp = reg_t.reshape(-1), reg_p.reshape(-1)
    case('mae', 'mae', {}, batches(reg_t, reg_p, [1, 2]), skm.mean_absolute_error(ft, fp))
    case('rmse', 'rmse', {}, batches(reg_t, reg_p, [1, 2]), float(np.sqrt(skm.mean_squared_error(ft, fp))))
    case('pearson', 'pearson', {}, batches(reg_t, reg_p, [1, 2]), float(np.corrcoef(ft, fp)[0, 1]))

    # Expected calibration error (torchmetrics' definition, written out in numpy).
    def ece(conf, acc, bins):
        idx = np.minimum(np.floor(conf * bins), bins - 1).astype(int)
        total = 0.0
        for b in range(bins):
            m = idx == b
            if m.any():
                total += m.mean() * abs(acc[m].mean() - conf[m].mean())
        return total
    case('ece binary 10 bins', 'ece', {'bins': 10}, batches(bin_t, bin_p, bsz), ece(bin_p[:, 0], bin_t, 10))
    case('ece multi-class 15 bins', 'ece', {}, batches(y, scores, sizes), ece(scores.max(-1), (scores.argmax(-1) == y).astype(float), 15))

    write('packages/metrics/test/fixtures/metrics.json', {
        'meta': {'sklearn': sklearn.__version__, 'numpy': np.__version__, 'generator': 'tools/scripts/reference/math/gen_metrics.py'},
        'cases': cases,
    })


if __name__ == '__main__':
    main()
