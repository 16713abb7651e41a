// The page's recipe as evaluation cells: what it sets, its sources among the evaluation's, and the
// report's comparison with the evaluation's own profiles person by person.

import { describe, expect, it } from 'vitest';
import type { Budget, CellResult, CellSpec } from '../eval/cell';
import { JESTER_PAGE_BANK, POPQUORN_PAGE_BANK, recipeSources } from '../eval/page-banks';
import { pageBudget, pageRecipeFor, pageSpecs } from '../eval/page-recipe';
import { renderReport } from '../eval/report';
import { splitPeople } from '../eval/splits';
import { TRAINING_DEFAULTS } from '../src/advanced';
import { PAGE_TRAINING } from '../src/app/presets';

const BUDGET: Budget = {
  trainSize: 1000,
  devLimit: 0,
  epochs: 3,
  batchSize: 16,
  maxLength: 256,
  sources: 30,
  targets: 300,
  testPerProfile: 30,
  bankEpochs: 3,
  populationTexts: 2000,
  bankLr: 1e-2,
  labelsPerSource: 100,
};

describe("the page's recipe in the evaluation", () => {
  it('sets X-PEFT as the page trains it and the budget of the bank it ships; baselines keep only the budget', () => {
    const xpeft: CellSpec = {
      task: 'jester-known',
      method: 'xpeft-hard-offset',
      bank: 'trained',
      n: 30,
      k: 10,
      seed: 0,
    };
    const offset: CellSpec = {
      task: 'jester-known',
      method: 'user-offset',
      bank: 'none',
      n: 0,
      k: 0,
      seed: 0,
    };
    // k=5 and k=10 become one cell at the page's k.
    const specs = pageSpecs([xpeft, { ...xpeft, k: 5 }, offset]);
    expect(specs).toEqual([
      {
        ...xpeft,
        recipe: 'page',
        k: PAGE_TRAINING.k,
        n: 30,
        firstLayer: 5,
        sourceBias: true,
        mix: 'outputs',
      },
      offset,
    ]);
    const [popquorn] = pageSpecs([{ ...xpeft, task: 'popquorn' }]);
    expect(popquorn).toMatchObject({ n: POPQUORN_PAGE_BANK.sources, firstLayer: 4, recipe: 'page' });
    expect(popquorn!.mix).toBeUndefined();
    expect(pageBudget('popquorn', BUDGET)).toEqual({
      ...BUDGET,
      sources: 10,
      labelsPerSource: 24,
      bankEpochs: 2,
      populationTexts: 300,
      maxLength: 64,
      epochs: PAGE_TRAINING.epochs,
    });
    expect(pageBudget('jester-known', BUDGET)).toEqual({ ...BUDGET, populationTexts: 100 }); // the evaluation's
    // The page trains as the library does by default.
    expect(PAGE_TRAINING.epochs).toBe(TRAINING_DEFAULTS.epochs);
    expect(PAGE_TRAINING.heldOutFraction).toBe(TRAINING_DEFAULTS.heldOutFraction);
    expect(() => pageRecipeFor('amazon')).toThrowError(/no recipe for amazon \(it answers yes\/no/);
    expect(() => pageSpecs([{ ...xpeft, task: 'sst2' }])).toThrowError(/no recipe for sst2/);
  });

  it("draws the recipe's sources among the evaluation's sources, all their ratings of the jokes left", () => {
    const known = splitPeople('jester-known', BUDGET);
    const fresh = splitPeople('jester-new', BUDGET);
    const targets = new Set(known.targets.map((t) => t.id));
    const onKnown = recipeSources(JESTER_PAGE_BANK, known.sources);
    expect(onKnown).toHaveLength(30);
    expect(onKnown.every((s) => !targets.has(s.id) && s.history.length === 100)).toBe(true);
    // jester-new's sources lack the 30 held-out jokes: full raters of the other 70.
    const onNew = recipeSources(JESTER_PAGE_BANK, fresh.sources);
    expect(onNew.every((s) => s.history.length === 70)).toBe(true);
  });

  it('compares the page with the evaluation on the people both scored', () => {
    const cell = (spec: Partial<CellSpec>, budget: Budget, errors: Record<string, number>) =>
      ({
        spec: {
          task: 'popquorn',
          bank: 'trained',
          n: 30,
          k: 5,
          seed: 0,
          method: 'xpeft-hard-offset',
          ...spec,
        },
        budget,
        metrics: { mae: 1 },
        profiles: 2,
        bytesPerProfile: { masks: 0, head: 4, total: 94 },
        trainableParams: 1,
        trainSeconds: 1,
        backend: 'cpu',
        finishedAt: '2026-12-03',
        perProfile: Object.entries(errors).map(([id, mae]) => ({ id, mae, rmse: mae })),
      }) as unknown as CellResult;
    const page = pageBudget('popquorn', BUDGET);
    const report = renderReport(
      [
        cell({ recipe: 'page', n: 10 }, page, { p: 1.2, q: 1.4 }),
        cell({ firstLayer: 4, sourceBias: true }, BUDGET, { p: 1.0, q: 1.1 }),
      ],
      [],
      { n: 100, k: 10 },
    );
    expect(report).toContain("## The page's recipes against the evaluation's");
    expect(report).toContain(
      "- popquorn: the page's recipe (10 sources × 24 labels, 2 bank epochs, population head on up to 300 texts; k=5, 3 epochs a person), MAE 1.300 over 2 people; against xpeft-hard-offset (trained bank, source biases), N=30, k=5, sites from layer 4 (30 sources × 100 labels, 3 bank epochs; 3 epochs a person) **+0.250 ± 0.050** over 2 people.",
    );
  });
});
