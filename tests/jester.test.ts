// Jester as an evaluation task: the reader against the data's README, both splits' promises (no scored
// item reaches training, the held-out jokes reach no one), targets from another folder, and the
// collaborative-filtering reference on ratings with a known structure.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Budget } from '../eval/cell';
import { collaborativeReference, fitItems, predictPerson } from '../eval/collaborative';
import { JESTER_DIR, readJester } from '../eval/jester';
import type { Annotator } from '../eval/popquorn';
import { heldOutJokes, type People, splitPeople } from '../eval/splits';
import { seededRandom } from '../src/util/random';

const BUDGET: Budget = {
  trainSize: 0,
  devLimit: 0,
  epochs: 1,
  batchSize: 8,
  maxLength: 256,
  sources: 30,
  targets: 300,
  testPerProfile: 30,
  bankEpochs: 1,
};
const texts = (examples: readonly { text: unknown }[]) => examples.map((e) => String(e.text));

describe('Jester data and splits', () => {
  let people: Annotator[];
  let known: People;
  let fresh: People;
  beforeAll(() => {
    people = readJester().people;
    known = splitPeople('jester-known', BUDGET);
    fresh = splitPeople('jester-new', BUDGET);
  });

  it('reads every joke and every rating the README counts', () => {
    const { jokes } = readJester();
    expect(jokes.map((j) => j.id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(people).toHaveLength(5000);
    expect(people.reduce((s, p) => s + p.history.length, 0)).toBe(364_041);
    expect(people.filter((p) => p.history.length === 100)).toHaveLength(1497);
    const ratings = people.flatMap((p) => p.history.map((e) => e.label as number));
    expect(ratings.every((r) => r >= -10 && r <= 10)).toBe(true);
    // The README's mean rating, +0.76.
    expect(ratings.reduce((s, r) => s + r, 0) / ratings.length).toBeCloseTo(0.76, 2);
  });

  it('known jokes: 300 targets with 60+ ratings, 30% of each scored, none of them a source', () => {
    expect(known.targets).toHaveLength(300);
    const byId = new Map(people.map((p) => [p.id, p]));
    const sources = new Set(known.sources.map((s) => s.id));
    for (const t of known.targets) {
      const all = byId.get(t.id)!.history;
      expect(all.length).toBeGreaterThanOrEqual(60);
      expect(sources.has(t.id)).toBe(false);
      expect(t.test.length).toBe(Math.round(0.3 * all.length));
      expect(t.train.length + t.test.length).toBe(all.length);
      const train = new Set(texts(t.train));
      expect(texts(t.test).some((x) => train.has(x))).toBe(false);
    }
    // Everyone else is a source, with every rating they made.
    expect(known.sources).toHaveLength(4700);
    // The same people whatever else changes: a cell's seed never redraws them.
    expect(splitPeople('jester-known', { ...BUDGET, epochs: 3 }).targets).toEqual(known.targets);
  });

  it('new jokes: 30 jokes held out from the sources and every target’s training, and only they scored', () => {
    const held = heldOutJokes(30);
    expect(held.size).toBe(30);
    for (const s of fresh.sources) expect(texts(s.history).some((x) => held.has(x))).toBe(false);
    for (const t of fresh.targets) {
      expect(t.test.length).toBeGreaterThan(0);
      expect(texts(t.test).every((x) => held.has(x))).toBe(true);
      expect(texts(t.train).some((x) => held.has(x))).toBe(false);
    }
    expect(fresh.targets).toHaveLength(300);
  });

  it('draws targets from another folder and sources from the default one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jester-'));
    const other = join(dir, 'jester');
    mkdirSync(other);
    writeFileSync(join(other, 'jokes.csv'), readFileSync(join(JESTER_DIR, 'jokes.csv')));
    // Five people never in the data: someone else's ratings under new ids.
    const rows = ['user_id,joke_id,rating'];
    for (const [i, p] of people
      .filter((q) => q.history.length >= 90)
      .slice(0, 5)
      .entries()) {
      const { jokes } = readJester();
      const id = new Map(jokes.map((j) => [j.text, j.id]));
      for (const e of p.history) rows.push(`x${i},${id.get(String(e.text))},${e.label}`);
    }
    writeFileSync(join(other, 'ratings.csv'), `${rows.join('\n')}\n`);
    const split = splitPeople('jester-known', { ...BUDGET, targets: 5, targetData: other });
    expect(split.targets.map((t) => t.id).sort()).toEqual(['x0', 'x1', 'x2', 'x3', 'x4']);
    expect(split.sources).toHaveLength(5000);
    expect(() => splitPeople('jester-known', { ...BUDGET, targets: 6, targetData: other })).toThrowError(
      /5 people can be targets; the budget asks for 6/,
    );
  });
});

describe('collaborative-filtering reference', () => {
  // 200 people × 40 items from 2 hidden tastes plus a personal offset and noise.
  const rng = seededRandom(5);
  const itemTaste = Array.from({ length: 40 }, () => [rng.normal(), rng.normal()]);
  const person = (id: string) => {
    const taste = [rng.normal(), rng.normal()];
    const offset = rng.normal();
    return {
      id,
      history: itemTaste.map((q, i) => ({
        text: `item ${i}`,
        label: 2 * (taste[0]! * q[0]! + taste[1]! * q[1]!) + offset + 0.3 * rng.normal(),
      })),
    };
  };
  const sources = Array.from({ length: 200 }, (_, i) => person(`s${i}`));
  const targets = Array.from({ length: 30 }, (_, i) => {
    const p = person(`t${i}`);
    return { train: p.history.slice(0, 25), test: p.history.slice(25) };
  });

  it('recovers a person’s taste from their training ratings far better than their mean does', () => {
    const { predicted, lambda } = collaborativeReference(sources, targets);
    expect([1, 3, 10, 30]).toContain(lambda);
    let cf = 0;
    let mean = 0;
    for (const [i, t] of targets.entries()) {
      const m = t.train.reduce((s, e) => s + e.label, 0) / t.train.length;
      for (const [j, e] of t.test.entries()) {
        cf += Math.abs(predicted[i]![j]! - e.label);
        mean += Math.abs(m - e.label);
      }
    }
    expect(cf).toBeLessThan(0.4 * mean);
  });

  it('refuses an item no source rated', () => {
    const model = fitItems(sources, { factors: 2, lambda: 1, iterations: 2 });
    expect(() => predictPerson(model, targets[0]!.train, ['never rated'], 1)).toThrowError(
      /needs items the sources rated/,
    );
  });
});
