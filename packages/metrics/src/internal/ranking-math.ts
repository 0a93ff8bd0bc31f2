/** Distinct-score groups in descending order with cumulative true/false positives (as scikit-learn's `_binary_clf_curve`). */
export function clfCurve(scores: Float64Array, targets: Float64Array): { thresholds: number[]; tps: number[]; fps: number[] } {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    const y = targets[order[i]];
    tp += y;
    fp += 1 - y;
    if (i === order.length - 1 || scores[order[i + 1]] !== scores[order[i]]) {
      thresholds.push(scores[order[i]]);
      tps.push(tp);
      fps.push(fp);
    }
  }
  return { thresholds, tps, fps };
}

/** Area under the ROC curve (trapezoidal, ties as scikit-learn), or NaN when only one class occurs. */
export function binaryAuroc(scores: Float64Array, targets: Float64Array): number {
  const { tps, fps } = clfCurve(scores, targets);
  const p = tps[tps.length - 1] ?? 0;
  const n = fps[fps.length - 1] ?? 0;
  if (p === 0 || n === 0) return Number.NaN;
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let i = 0; i < tps.length; i++) {
    area += ((fps[i] - prevFp) * (tps[i] + prevTp)) / 2;
    prevTp = tps[i];
    prevFp = fps[i];
  }
  return area / (p * n);
}

/** Average precision `Σ (Rₙ − Rₙ₋₁)·Pₙ` (no interpolation, as scikit-learn), or NaN without positives. */
export function binaryAveragePrecision(scores: Float64Array, targets: Float64Array): number {
  const { tps, fps } = clfCurve(scores, targets);
  const p = tps[tps.length - 1] ?? 0;
  if (p === 0) return Number.NaN;
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < tps.length; i++) {
    const recall = tps[i] / p;
    ap += (recall - prevRecall) * (tps[i] / (tps[i] + fps[i]));
    prevRecall = recall;
  }
  return ap;
}
