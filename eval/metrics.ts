// Evaluation metrics.

/** Ranks with ties given their average rank (1-based). */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]![1]] = rank;
    i = j + 1;
  }
  return out;
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length || x.length < 2)
    throw new Error('pearson needs two equal-length lists of at least 2.');
  const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(x), mean(y)];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}

export function accuracy(predicted: readonly number[], gold: readonly number[]): number {
  return predicted.filter((p, i) => p === gold[i]).length / gold.length;
}

/** F1 of the positive class (label 1). */
export function f1(predicted: readonly number[], gold: readonly number[]): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  predicted.forEach((p, i) => {
    if (p === 1 && gold[i] === 1) tp++;
    else if (p === 1) fp++;
    else if (gold[i] === 1) fn++;
  });
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** Matthews correlation coefficient of binary labels. */
export function matthews(predicted: readonly number[], gold: readonly number[]): number {
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  predicted.forEach((p, i) => {
    if (p === 1) gold[i] === 1 ? tp++ : fp++;
    else gold[i] === 0 ? tn++ : fn++;
  });
  const denominator = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  return denominator === 0 ? 0 : (tp * tn - fp * fn) / denominator;
}

export function meanAbsoluteError(predicted: readonly number[], gold: readonly number[]): number {
  return predicted.reduce((s, p, i) => s + Math.abs(p - gold[i]!), 0) / gold.length;
}

export function rootMeanSquaredError(predicted: readonly number[], gold: readonly number[]): number {
  return Math.sqrt(predicted.reduce((s, p, i) => s + (p - gold[i]!) ** 2, 0) / gold.length);
}

export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance =
    values.length > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}
