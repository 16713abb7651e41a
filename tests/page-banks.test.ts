// The demo page's banks: the recipes leave out every sample person the page shows, pick sources with
// different answers across the range, and the population head is fitted on vectors embedded once per
// text (a tiny model), learns the data, and honours the text cap.

import { beforeAll, describe, expect, it } from 'vitest';
import { AMAZON_PAGE_BANK, PAGE_BANK_RECIPES, POPQUORN_PAGE_BANK, pageBankPeople } from '../eval/page-banks';
import { amazonSamplePeople, popquornSamplePeople } from '../eval/page-people';
import { type Example, LanguageModel, useBackend } from '../src/advanced';
import { fitPopulationHead } from '../src/training/population-head';
import { writeTinyModel } from './helpers/tiny-model';

describe('the page bank recipes', () => {
  it.each(PAGE_BANK_RECIPES)('$dataset: sources and population never include a sample person', (recipe) => {
    const shown = recipe === POPQUORN_PAGE_BANK ? popquornSamplePeople() : amazonSamplePeople();
    const samples = shown.map((a) => a.id);
    const texts = new Set(shown.flatMap((a) => a.history.map((e) => e.text)));
    const people = pageBankPeople(recipe);
    expect(samples).toHaveLength(3);
    expect(people.sources).toHaveLength(recipe.sources);
    for (const s of people.sources) {
      expect(samples).not.toContain(s.id);
      expect(s.history.length).toBeLessThanOrEqual(recipe.labelsPerSource);
      expect(new Set(s.history.map((e) => e.label)).size).toBeGreaterThanOrEqual(2);
    }
    // Amazon reviews are each one person's, so none of a sample person's reviews is in the population.
    if (recipe === AMAZON_PAGE_BANK) expect(people.population.some((e) => texts.has(e.text))).toBe(false);
    expect(new Set(people.populationOwners).size).toBeGreaterThan(10 * recipe.sources);
    expect(people.populationOwners).toHaveLength(people.population.length);
    const labels = new Set(people.population.map((e) => e.label));
    expect([...labels].sort()).toEqual(recipe === AMAZON_PAGE_BANK ? ['no', 'yes'] : [1, 2, 3, 4, 5]);
  });

  it('spreads the sources from the most lenient to the strictest', () => {
    const means = pageBankPeople(POPQUORN_PAGE_BANK).sources.map(
      (s) => s.history.reduce((a, e) => a + Number(e.label), 0) / s.history.length,
    );
    expect(Math.max(...means) - Math.min(...means)).toBeGreaterThan(1.5);
  });
});

describe('the population head', () => {
  let model: LanguageModel;
  beforeAll(async () => {
    await useBackend('cpu');
    model = await LanguageModel.load({ kind: 'dir', path: writeTinyModel({ seed: 5 }) });
  });

  // Many people label the same few texts: a word decides most answers, and people disagree a little.
  const words = ['wonderful', 'lovely', 'great', 'superb', 'awful', 'horrible', 'dreadful', 'terrible'];
  const history: Example[] = [];
  for (let person = 0; person < 12; person++)
    words.forEach((w, i) => {
      for (const frame of ['it was', 'what a', 'truly', 'simply']) {
        const yes = i < 4 ? person !== 0 : person === 11;
        history.push({ text: `${frame} ${w} day`, label: yes ? 'yes' : 'no' });
      }
    });
  const task = { kind: 'classification', labels: ['no', 'yes'] } as const;

  it('embeds each distinct text once and fits the labels of many people', async () => {
    const embedded: number[] = [];
    const fitted = await fitPopulationHead(model, task, history, {
      steps: 1000,
      heldOutFraction: 0,
      onProgress: (p) => embedded.push(p.embedded),
    });
    expect(fitted.texts).toBe(32);
    expect(fitted.examples).toBe(history.length);
    expect(embedded.at(-1)).toBe(32);
    expect(fitted.fitted.every(Boolean)).toBe(true);
    const vectors = await model.embed(words.map((w) => `it was ${w} day`));
    const { weight, bias } = fitted.head;
    const yes = vectors.map((v) => {
      let no = bias[0]!;
      let y = bias[1]!;
      for (let j = 0; j < v.length; j++) {
        no += v[j]! * weight[2 * j]!;
        y += v[j]! * weight[2 * j + 1]!;
      }
      return y > no;
    });
    expect(yes).toEqual([true, true, true, true, false, false, false, false]);
  });

  it('keeps a seeded subset of texts under the cap, with every label of those texts', async () => {
    const a = await fitPopulationHead(model, task, history, { maxTexts: 10, steps: 20 });
    const b = await fitPopulationHead(model, task, history, { maxTexts: 10, steps: 20 });
    expect(a.texts).toBe(10);
    expect(a.examples).toBe(10 * 12);
    expect(a.fitted.filter(Boolean)).toHaveLength(10 * 12);
    expect(Number.isFinite(a.heldOutLoss)).toBe(true);
    expect(Array.from(a.head.weight)).toEqual(Array.from(b.head.weight));
  });
});
