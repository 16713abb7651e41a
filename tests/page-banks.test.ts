// The demo page's banks: the recipes leave out every sample person the page shows, pick sources with
// different answers across the range (Jester: a seeded draw of people who rated every joke), and the
// population head is fitted on vectors embedded once per text (a tiny model), learns the data, and
// honours the text cap. The build writes an index that names each adapter's person and the texts to rank.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJester } from '../eval/jester';
import { describeTaste } from '../eval/page-bank-files';
import {
  AMAZON_PAGE_BANK,
  JESTER_PAGE_BANK,
  POPQUORN_PAGE_BANK,
  pageBankPeople,
  pageBankWork,
} from '../eval/page-banks';
import {
  amazonSamplePeople,
  JESTER_GAUGE_JOKES,
  jesterSamplePeople,
  popquornSamplePeople,
} from '../eval/page-people';
import { type Example, LanguageModel, useBackend } from '../src/advanced';
import { PAGE_BANKS_FORMAT, PAGE_TEXTS_FORMAT, type PageBankIndex, type PageTexts } from '../src/app/presets';
import { CHECKPOINT_FILES } from '../src/model/checkpoint';
import { fitPopulationHead } from '../src/training/population-head';
import { ROOT } from '../tools/paths';
import { writeTinyModel } from './helpers/tiny-model';

const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('the page bank recipes', () => {
  it.each([POPQUORN_PAGE_BANK, AMAZON_PAGE_BANK])(
    '$dataset: sources and population never include a sample person',
    (recipe) => {
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
    },
  );

  it('spreads the sources from the most lenient to the strictest', () => {
    const means = pageBankPeople(POPQUORN_PAGE_BANK).sources.map(
      (s) => s.history.reduce((a, e) => a + Number(e.label), 0) / s.history.length,
    );
    expect(Math.max(...means) - Math.min(...means)).toBeGreaterThan(1.5);
  });

  it('jester: 30 people who rated every joke, a seeded draw, none a sample person; the head on everyone else', () => {
    const jester = readJester();
    const samples = jesterSamplePeople(jester).map((a) => a.id);
    const people = pageBankPeople(JESTER_PAGE_BANK);
    expect(JESTER_PAGE_BANK).toMatchObject({ firstLayer: 5, maxLength: 256, populationLabels: 'text-means' });
    expect(people.sources).toHaveLength(30);
    for (const s of people.sources) {
      expect(samples).not.toContain(s.id);
      expect(new Set(s.history.map((e) => e.text)).size).toBe(100);
    }
    // A draw, not a spread over mean ratings: the same people again, and not sorted by their mean.
    expect(pageBankPeople(JESTER_PAGE_BANK).sources.map((s) => s.id)).toEqual(
      people.sources.map((s) => s.id),
    );
    const means = people.sources.map((s) => s.history.reduce((a, e) => a + Number(e.label), 0) / 100);
    expect(means).not.toEqual([...means].sort((a, b) => a - b));
    expect(people.populationOwners.some((id) => samples.includes(id))).toBe(false);
    expect(new Set(people.populationOwners).size).toBe(jester.people.length - samples.length);
    expect(people.catalogue).toHaveLength(100);
    // Per source: the 100 jokes through the lower layers once (the first source), then a twentieth of a
    // pass per training example (no layer above the sites' layer runs again).
    const work = pageBankWork(JESTER_PAGE_BANK, people, 6);
    expect(work.texts).toBe(100);
    expect(work.perSource[0]).toBeCloseTo(100 + 0.05 * 3 * 100, 9);
    expect(work.perSource[1]).toBeCloseTo(0.05 * 3 * 100, 9);
  });
});

describe('the Jester sample people', () => {
  // 100 jokes; a person rates `count` of them from joke 1 (the gauge jokes among them).
  const jokes = Array.from({ length: 100 }, (_, i) => ({ id: i + 1, text: `joke ${i + 1}` }));
  const person = (id: string, count: number, rating: (joke: number) => number) => ({
    id,
    history: jokes.slice(0, count).map((j) => ({ text: j.text, label: rating(j.id) })),
  });
  const wave = (j: number) => 5 * Math.sin(j); // mean about 0 over the first 70 jokes
  const people = [
    person('likes-a', 70, (j) => wave(j)),
    person('same-as-a', 70, (j) => wave(j) + Math.cos(5 * j)),
    person('opposite', 70, (j) => -wave(j)),
    person('unrelated', 70, (j) => 5 * Math.cos(3 * j)),
    person('more-opposite-but-generous', 70, (j) => 4 - wave(j)),
    person('rated-everything', 100, (j) => -wave(j)),
    person('too-few', 40, (j) => -wave(j)),
  ];

  it('takes the two least alike of people as generous as the median, then the one least like either', () => {
    const chosen = jesterSamplePeople({ jokes, people }).map((a) => a.id);
    expect(chosen.slice(0, 2).sort()).toEqual(['likes-a', 'opposite']);
    expect(chosen[2]).toBe('unrelated');
  });

  it('on the data: three people with 60–90 ratings incl. the gauge jokes, means within 0.5, two of opposite taste', () => {
    const jester = readJester();
    const chosen = jesterSamplePeople(jester);
    expect(chosen).toHaveLength(3);
    const gauge = jester.jokes.filter((j) => (JESTER_GAUGE_JOKES as readonly number[]).includes(j.id));
    for (const a of chosen) {
      expect(a.history.length).toBeGreaterThanOrEqual(60);
      expect(a.history.length).toBeLessThanOrEqual(90);
      for (const j of gauge) expect(a.history.some((e) => e.text === j.text)).toBe(true);
    }
    const means = chosen.map((a) => a.history.reduce((s, e) => s + Number(e.label), 0) / a.history.length);
    expect(Math.max(...means) - Math.min(...means)).toBeLessThanOrEqual(0.5);
  });
});

describe('what the build writes beside a bank', () => {
  it("describes a person's taste by their mean and the texts they rated highest and lowest", () => {
    const history = [
      { text: 'A  man walks\ninto a bar with a very long story about his very long day at work', label: 9.5 },
      { text: 'Short one', label: -8.25 },
      { text: 'Middle', label: 1 },
    ];
    expect(describeTaste(history, 'jester')).toBe(
      'mean rating +0.75 over 3 jokes; favourite: “A man walks into a bar with a very long story about his…” (+9.50); least favourite: “Short one” (−8.25)',
    );
    const yesNo = [
      { text: 'great', label: 'yes' },
      { text: 'awful', label: 'no' },
      { text: 'fine', label: 'yes' },
      { text: 'good', label: 'yes' },
    ];
    expect(describeTaste(yesNo, 'amazon')).toBe(
      'yes to 75% of 4 reviews; liked: “great”; did not like: “awful”',
    );
  });

  it('an index of three banks naming every adapter’s person, with the texts to rank (a tiny model)', () => {
    const out = mkdtempSync(join(tmpdir(), 'xpeft-page-banks-'));
    const model = writeTinyModel({ seed: 7 });
    const tiny = ['--sources', '4', '--epochs', '1', '--max-length', '16', '--population-texts', '24'];
    const args = ['scripts/build-bank.ts', '--model', model, '--out', out, ...tiny, '--first-layer', '1'];
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    execFileSync(tsx, args, { cwd: ROOT, stdio: 'pipe' });
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as PageBankIndex;
    expect(index.format).toBe(PAGE_BANKS_FORMAT);
    expect(Object.keys(index.banks).sort()).toEqual(['funny', 'like', 'offensive']);
    // The identities the page checks every file against: each model file's and each bank file's sha256.
    expect(Object.keys(index.modelFiles).sort()).toEqual([...CHECKPOINT_FILES].sort());
    expect(index.modelFiles['model.safetensors']).toBe(index.modelFingerprint);
    expect(index.modelFiles['config.json']).toBe(sha256Of(join(model, 'config.json')));
    for (const bank of Object.values(index.banks)) {
      expect(existsSync(join(out, bank.file))).toBe(true);
      expect(bank.sha256).toBe(sha256Of(join(out, bank.file)));
      expect(bank.people).toHaveLength(4);
      expect(bank.maxLength).toBe(16);
      for (const p of bank.people) expect(p.taste).toMatch(/^(mean rating|yes to)/);
      const texts = JSON.parse(readFileSync(join(out, bank.texts!), 'utf8')) as PageTexts;
      expect(texts.format).toBe(PAGE_TEXTS_FORMAT);
      expect(texts.acknowledgement).toBe(bank.acknowledgement);
    }
    const funny = index.banks.funny!;
    expect(funny.acknowledgement).toBe(
      'Jester data: Ken Goldberg, Theresa Roeder, Dhruv Gupta and Chris Perkins, Eigentaste: A Constant Time Collaborative Filtering Algorithm, Information Retrieval 4(2), 133–151, 2001',
    );
    expect(funny.contentNote).toMatch(
      /1999–2003 and some rely on ethnic, religious, gender or sexual stereotypes/,
    );
    expect(funny.sites).toBe(1);
    // The head is fitted on each joke's mean: 24 texts, every rating of them by everyone not a sample.
    expect(funny.population.texts).toBe(24);
    expect(funny.population.labels).toBeGreaterThan(24 * 1000);
    const sources = pageBankPeople({ ...JESTER_PAGE_BANK, sources: 4 }).sources.map((s) => s.id);
    expect(funny.people.map((p) => p.id)).toEqual(sources);
    const jokes = JSON.parse(readFileSync(join(out, funny.texts!), 'utf8')) as PageTexts;
    expect(jokes.texts).toHaveLength(100);
    expect(jokes.texts[4]).toEqual({ id: '5', text: readJester().jokes[4]!.text });
    expect(jokes.rateFirst).toEqual(JESTER_GAUGE_JOKES.map(String));
    expect(jokes.contentNote).toBe(funny.contentNote);
    // Elsewhere: 40 texts neither the head nor an adapter saw.
    const comments = JSON.parse(readFileSync(join(out, index.banks.offensive!.texts!), 'utf8')) as PageTexts;
    expect(comments.texts).toHaveLength(40);
    expect(comments.rateFirst).toEqual([]);
    const again = execFileSync(tsx, [...args, '--if-missing'], { cwd: ROOT, encoding: 'utf8' });
    expect(again).toContain("The page's trained banks are in");
  }, 120_000);
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
