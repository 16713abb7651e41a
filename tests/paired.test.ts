// Person-by-person comparison: paired differences and their standard errors, checked by hand.

import { describe, expect, it } from 'vitest';
import type { CellResult, CellSpec } from '../eval/cell';
import {
  differenceText,
  pairedDifference,
  pairedTable,
  perPerson,
  targetStatements,
  upperLayerStatements,
} from '../eval/paired';

const cell = (seed: number, errors: Record<string, number>, spec: Partial<CellSpec> = {}) =>
  ({
    spec: { seed, ...spec },
    bytesPerProfile: { masks: 0, head: 0, total: 0 },
    trainSeconds: 1,
    perProfile: Object.entries(errors).map(([id, mae]) => ({ id, mae, rmse: 2 * mae })),
  }) as unknown as CellResult;
const offsetOver = (bank: CellSpec['bank'], n: number): Partial<CellSpec> => ({
  task: 'popquorn',
  method: 'xpeft-hard-offset',
  bank,
  n,
  k: 10,
});

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

  it('sets rows with sites in the upper layers against the same profile lower down', () => {
    const name = 'xpeft-hard-offset (random bank), N=100, k=10';
    const spec = offsetOver('random', 100);
    const rows = [
      { name, cells: [cell(0, { p: 1, q: 2 }, spec)] },
      {
        name: `${name}, sites from layer 3`,
        cells: [cell(0, { p: 1.2, q: 2.2 }, { ...spec, firstLayer: 3 })],
      },
      {
        name: `${name}, sites from layer 4`,
        cells: [cell(0, { p: 1.4, q: 2.2 }, { ...spec, firstLayer: 4 })],
      },
      // Another profile from layer 4 is not set against these.
      { name: 'other', cells: [cell(0, { p: 9, q: 9 }, { ...spec, k: 5, firstLayer: 4 })] },
      { name: 'frozen', cells: [cell(0, { p: 9, q: 9 }, { task: 'popquorn', method: 'frozen' })] },
    ];
    // Layer 4 − every layer: 0.4 and 0.2 (0.3 ± 0.1, beyond 2 SE); layer 4 − layer 3: 0.2 and 0 (0.1 ± 0.1).
    expect(upperLayerStatements(rows)).toEqual([
      `- ${name}, sites from layer 3: against sites in every layer **+0.200 ± 0.000**.`,
      `- ${name}, sites from layer 4: against sites in every layer **+0.300 ± 0.100**; against sites from layer 3 +0.100 ± 0.100.`,
    ]);
  });

  it('checks the targets of X-PEFT on a trained bank against every baseline and its own variants, k and N included', () => {
    const row = (name: string, p: number, q: number, spec: Partial<CellSpec>) => ({
      name,
      cells: [cell(0, { p, q }, spec)],
    });
    const baseline = (method: CellSpec['method']): Partial<CellSpec> => ({
      task: 'popquorn',
      method,
      bank: 'none',
    });
    const bank = 'xpeft-hard-offset (trained bank), N=30, k=10';
    const debiased = 'xpeft-hard-offset (trained bank, source biases), N=30, k=10';
    const trained = offsetOver('trained', 30);
    const rows = [
      row('frozen', 2, 2.2, baseline('frozen')),
      row('user-mean', 1.5, 1.5, baseline('user-mean')),
      row('user-offset', 1.1, 1.1, baseline('user-offset')),
      row('adapter', 1.0, 1.3, baseline('adapter')),
      row('xpeft-hard (trained bank), N=30, k=10', 1.6, 1.6, { ...trained, method: 'xpeft-hard' }),
      row(bank, 1.2, 1.2, trained),
      row(debiased, 0.9, 1.2, { ...trained, sourceBias: true }),
      row(`${bank}, at least 30 steps`, 1.0, 1.1, { ...trained, minSteps: 30 }),
      row('xpeft-hard-offset (trained bank), N=30, k=5', 1.0, 1.3, { ...trained, k: 5 }),
      row('xpeft-hard-offset (trained bank), N=100, k=10', 1.0, 1.0, { ...trained, n: 100 }),
    ];
    const lines = targetStatements(rows, (r) => r.name.includes('trained bank'));
    expect(lines).toEqual([
      '- xpeft-hard (trained bank), N=30, k=10: beats frozen by more than 2 SE (**−0.500 ± 0.100**); **does not beat** user-mean by more than 2 SE (**+0.100 ± 0.000**); **does not beat** user-offset by more than 2 SE (**+0.500 ± 0.000**); **is not** within 1 SE of adapter tuning or better (**+0.450 ± 0.150**, 2 people).',
      `- ${bank}: beats frozen by more than 2 SE (**−0.900 ± 0.100**); beats user-mean by more than 2 SE (**−0.300 ± 0.000**); **does not beat** user-offset by more than 2 SE (**+0.100 ± 0.000**); is within 1 SE of adapter tuning or better (+0.050 ± 0.150, 2 people); against the same mask without an offset **−0.400 ± 0.000**.`,
      `- ${debiased}: beats frozen by more than 2 SE (**−1.050 ± 0.050**); beats user-mean by more than 2 SE (**−0.450 ± 0.150**); **does not beat** user-offset by more than 2 SE (−0.050 ± 0.150); is within 1 SE of adapter tuning or better (**−0.100 ± 0.000**, 2 people); against the same profile on a bank without source biases −0.150 ± 0.150.`,
      `- ${bank}, at least 30 steps: beats frozen by more than 2 SE (**−1.050 ± 0.050**); beats user-mean by more than 2 SE (**−0.450 ± 0.050**); **does not beat** user-offset by more than 2 SE (−0.050 ± 0.050); is within 1 SE of adapter tuning or better (−0.100 ± 0.100, 2 people); against the same profile at the budget's epochs **−0.150 ± 0.050**.`,
      '- xpeft-hard-offset (trained bank), N=30, k=5: beats frozen by more than 2 SE (**−0.950 ± 0.050**); beats user-mean by more than 2 SE (**−0.350 ± 0.150**); **does not beat** user-offset by more than 2 SE (+0.050 ± 0.150); is within 1 SE of adapter tuning or better (+0.000 ± 0.000, 2 people); against the same profile with k=10 −0.050 ± 0.150.',
      '- xpeft-hard-offset (trained bank), N=100, k=10: beats frozen by more than 2 SE (**−1.100 ± 0.100**); beats user-mean by more than 2 SE (**−0.500 ± 0.000**); beats user-offset by more than 2 SE (**−0.100 ± 0.000**); is within 1 SE of adapter tuning or better (−0.150 ± 0.150, 2 people); against the same profile over N=30 **−0.200 ± 0.000**.',
    ]);
  });

  it('finds each baseline by its method whatever its row is named, and states head-only and the mix', () => {
    const trained = { ...offsetOver('trained', 30), k: 5 };
    const rows = [
      {
        name: 'user-offset',
        cells: [cell(0, { p: 2, q: 2, r: 2 }, { task: 'popquorn', method: 'user-offset' })],
      },
      {
        name: 'head-only',
        cells: [cell(0, { p: 3, q: 3, r: 3 }, { task: 'popquorn', method: 'head-only' })],
      },
      // Adapter tuning on a subset of the people, with its sites named in its row.
      {
        name: 'adapter, sites from layer 5',
        cells: [cell(0, { p: 1.5, q: 1.7 }, { task: 'popquorn', method: 'adapter', firstLayer: 5 })],
      },
      { name: 'mixed', cells: [cell(0, { p: 1.6, q: 1.6, r: 1.6 }, { ...trained, mix: 'outputs' })] },
      { name: 'weights', cells: [cell(0, { p: 1.9, q: 1.9, r: 1.9 }, trained)] },
    ];
    const [mixed] = targetStatements(rows, (r) => r.name === 'mixed');
    expect(mixed).toBe(
      "- mixed: beats user-offset by more than 2 SE (**−0.400 ± 0.000**); is within 1 SE of adapter tuning or better (+0.000 ± 0.100, 2 people); is within 1 SE of head-only or better (**−1.400 ± 0.000**, 3 people); against the same profile with its adapters' weights mixed **−0.300 ± 0.000**.",
    );
    const table = pairedTable(rows);
    expect(table).toContain('| Δ MAE / Δ RMSE vs head-only | Δ MAE / Δ RMSE vs adapter |');
    expect(table).toContain('| adapter, sites from layer 5 | 2 × 1 | 1.600 |');
    // A row with more seeds on some of its people says so.
    const uneven = pairedTable([
      { name: 'x', cells: [cell(0, { p: 1, q: 1, r: 1 }, trained), cell(1, { p: 1 }, trained)] },
    ]);
    expect(uneven).toContain('| x | 1 × 2 + 2 × 1 |');
  });
});
