// The page's ranked list and the people a mask picks, as pure functions: ranks with ties, Spearman's ρ
// against hand-computed values, a shift that keeps the order (ρ = 1) against a re-ordering, the "yes"
// probability as a classification's place on a list, and a hard or soft mask read as the bank's people.

import { describe, expect, it } from 'vitest';
import { describeRanking } from '../src/app/describe';
import { pickedPeople } from '../src/app/mask-picture';
import { presetById } from '../src/app/presets';
import { rankScore, ranks, rankTexts, spearman, unrated } from '../src/app/ranking';

describe('the ranked list', () => {
  it('ranks from the highest value, equal values sharing their mean rank', () => {
    expect(ranks([3, 9, 1, 9])).toEqual([3, 1.5, 4, 1.5]);
    expect(ranks([])).toEqual([]);
  });

  it("computes Spearman's rho as Pearson's on ranks", () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Without ties: 1 − 6Σd²/(n(n²−1)); ranks (4,3,2,1) against (3,4,1,2): Σd² = 4, so 1 − 24/60 = 0.6.
    expect(spearman([1, 2, 3, 4], [2, 1, 4, 3])).toBeCloseTo(0.6, 12);
    // With ties: Pearson's on mean ranks (1.5, 1.5, 3) and (1, 2, 3) = √3/2.
    expect(spearman([5, 5, 1], [3, 2, 1])).toBeCloseTo(Math.sqrt(3) / 2, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(spearman([1], [1])).toBeNaN();
    expect(() => spearman([1, 2], [1])).toThrow(/2 values against 1/);
  });

  const texts = ['a', 'b', 'c', 'd'].map((t, i) => ({ id: String(i + 1), text: t }));

  it('keeps the order when the personal answers are the generic ones shifted', () => {
    const generic = [0.5, -2, 3, 1];
    const r = rankTexts(
      texts,
      generic,
      generic.map((v) => v + 1.25),
    );
    expect(r.byGeneric.map((t) => t.text)).toEqual(['c', 'd', 'a', 'b']);
    expect(r.byPersonal.map((t) => t.text)).toEqual(['c', 'd', 'a', 'b']);
    expect(r.rho).toBeCloseTo(1, 12);
    expect(r.shift).toBeCloseTo(1.25, 12);
    expect(describeRanking(presetById('funny'), r, 'jokes')).toBe(
      'Spearman rank correlation between the two orders: 1.00 (1 is the same order, 0 unrelated, −1 reversed): ' +
        'your profile keeps the order of the 4 jokes you have not rated and only shifts the answers. ' +
        'On average it answers +1.25 (funniness −10…+10) against everyone.',
    );
  });

  it('re-orders when the personal answers disagree, with each text’s place in both orders', () => {
    const r = rankTexts(texts, [4, 3, 2, 1], [1, 4, 3, 2]);
    expect(r.byPersonal.map((t) => [t.text, t.genericRank, t.personalRank])).toEqual([
      ['b', 2, 1],
      ['c', 3, 2],
      ['d', 4, 3],
      ['a', 1, 4],
    ]);
    expect(r.rho).toBeCloseTo(-0.2, 12);
    expect(r.shift).toBeCloseTo(0, 12);
    expect(describeRanking(presetById('offensive'), r, 'comments')).toContain(
      '-0.20 (1 is the same order, 0 unrelated, −1 reversed): your profile moves 4 of the 4 comments you have not rated to another place.',
    );
    expect(() => rankTexts(texts, [1], [1, 2, 3, 4])).toThrow(/4 texts, 1 generic and 4 personal/);
  });

  it('places a classification by the probability of its last label, a regression by its value', () => {
    const like = presetById('like').task;
    expect(rankScore(like, [0, 0])).toBeCloseTo(0.5, 12);
    expect(rankScore(like, [0, Math.log(3)])).toBeCloseTo(0.75, 12);
    expect(rankScore(like, [1000, 1001])).toBeCloseTo(1 / (1 + Math.exp(-1)), 12); // no overflow
    expect(rankScore({ kind: 'regression' }, [-3.5])).toBe(-3.5);
    const shifted = rankTexts(texts, [0.2, 0.4, 0.6, 0.8], [0.3, 0.5, 0.7, 0.9]);
    expect(describeRanking(presetById('like'), shifted, 'reviews')).toContain(
      'On average it answers +10 percentage points on “yes” against everyone.',
    );
  });

  it('leaves out the texts already among the examples', () => {
    const left = unrated(texts, [
      { text: 'b', label: 3 },
      { text: 'z', label: 1 },
    ]);
    expect(left.map((t) => t.id)).toEqual(['1', '3', '4']);
  });
});

describe('the people a mask picks', () => {
  const people = ['u1', 'u2', 'u3', 'u4'].map((id) => ({ id, taste: `taste of ${id}` }));

  it('names the k people a hard mask selects in every row, with their shares', () => {
    // One site: a down row and an up row over N = 4, both selecting adapters 1 and 3.
    const scores = Float32Array.of(0, 1, 0, 1, 0, 1, 0, 1);
    const { caption, picked } = pickedPeople({ mode: 'hard', sites: 1, n: 4, k: 2, scores }, people);
    expect(caption).toBe('Your profile picks these 2 of 4 people: every row of its mask selects the same 2.');
    expect(picked.map((p) => [p.id, p.taste, p.index, p.share])).toEqual([
      ['u2', 'taste of u2', 1, 0.5],
      ['u4', 'taste of u4', 3, 0.5],
    ]);
  });

  it('counts rows that pick differently, heaviest first, and numbers people the index does not name', () => {
    const scores = Float32Array.of(1, 1, 0, 0, 1, 0, 1, 0);
    const { caption, picked } = pickedPeople(
      { mode: 'hard', sites: 1, n: 4, k: 2, scores },
      people.slice(0, 2),
    );
    expect(caption).toBe(
      'Your profile picks these 3 of 4 people: each of its 2 mask rows selects 2, not all the same.',
    );
    expect(picked.map((p) => [p.id, p.share])).toEqual([
      ['u1', 0.5],
      ['u2', 0.25],
      ['adapter 3', 0.25],
    ]);
    expect(picked[2]!.taste).toBeUndefined();
  });

  it('names the heaviest people of a soft mask, by its softmax weights', () => {
    const scores = Float32Array.of(0, Math.log(3), 0, 0, 0, Math.log(3), 0, 0);
    const { caption, picked } = pickedPeople({ mode: 'soft', sites: 1, n: 4, k: 0, scores }, people);
    expect(caption).toBe('Your profile weighs all 4 people of the bank; these 4 weigh most.');
    expect(picked[0]!.id).toBe('u2');
    expect(picked[0]!.share).toBeCloseTo(0.5, 6);
    expect(picked.reduce((a, p) => a + p.share, 0)).toBeCloseTo(1, 6);
  });
});
