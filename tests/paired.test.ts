// Person-by-person comparison: paired differences and their standard errors, checked by hand.

import { describe, expect, it } from 'vitest';
import { differenceText, pairedDifference, perPerson } from '../eval/paired';
import type { CellResult } from '../eval/protocol';

const cell = (seed: number, errors: Record<string, number>) =>
  ({
    spec: { seed },
    perProfile: Object.entries(errors).map(([id, mae]) => ({ id, mae, rmse: 2 * mae })),
  }) as unknown as CellResult;

describe('paired differences over people', () => {
  it('averages seeds per person, then pairs on the people both methods scored', () => {
    const a = perPerson([cell(0, { p: 1, q: 2, r: 3 }), cell(1, { p: 3, q: 2, r: 1 })], 'mae');
    expect([...a]).toEqual([
      ['p', 2],
      ['q', 2],
      ['r', 2],
    ]);
    const b = perPerson([cell(0, { p: 1.5, q: 1, r: 2, s: 9 })], 'mae');
    const d = pairedDifference(a, b)!;
    // Differences 0.5, 1, 0: mean 0.5, sample std 0.5, standard error 0.5 / √3.
    expect(d.people).toBe(3);
    expect(d.mean).toBeCloseTo(0.5, 12);
    expect(d.se).toBeCloseTo(0.5 / Math.sqrt(3), 12);
    expect(differenceText(d)).toBe('+0.500 ± 0.289');
    expect(perPerson([cell(0, { p: 1 })], 'rmse').get('p')).toBe(2);
  });

  it('marks differences beyond two standard errors and refuses fewer than two people', () => {
    const a = new Map([
      ['p', 1],
      ['q', 1.1],
      ['r', 0.9],
    ]);
    const b = new Map([
      ['p', 2],
      ['q', 2],
      ['r', 2],
    ]);
    expect(differenceText(pairedDifference(a, b))).toBe('**−1.000 ± 0.058**');
    expect(pairedDifference(new Map([['p', 1]]), b)).toBeUndefined();
    expect(differenceText(undefined)).toBe('–');
  });
});
