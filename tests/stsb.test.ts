// The real weights behave like the published model on STS-B; metrics are checked against hand values.

import { describe, expect, it } from 'vitest';
import { pearson, ranks, spearman } from '../eval/metrics';
import { stsbSpearman } from '../eval/stsb';
import { LanguageModel, useBackend } from '../src/advanced';
import { requireDefaultModel } from './helpers/real-model';

describe('metrics', () => {
  it('ranks ties by their average rank', () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });
  it('computes Pearson and Spearman', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
  });
});

describe('STS-B with the real default model', () => {
  it('scores a Spearman correlation of at least 0.8 on the first 200 dev pairs', async () => {
    await useBackend('wasm');
    const model = await LanguageModel.load({ kind: 'dir', path: requireDefaultModel() });
    const { spearman: rho, pairs } = await stsbSpearman(model, 200);
    model.dispose();
    console.info(`STS-B dev, first ${pairs} pairs: Spearman ${rho.toFixed(4)}`);
    expect(pairs).toBe(200);
    expect(rho).toBeGreaterThanOrEqual(0.8);
  });
});
