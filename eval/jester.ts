// Jester Dataset 1 (../shared/data/jester): 100 jokes, each person's ratings of many of them on a
// continuous −10…+10 scale. People differ here in what they find funny, not only in how generous they
// are, so it is where a profile must show taste beyond the person's offset. Acknowledgement, as the
// data's terms ask: Ken Goldberg, Theresa Roeder, Dhruv Gupta and Chris Perkins, "Eigentaste: A Constant
// Time Collaborative Filtering Algorithm", Information Retrieval 4(2), 133–151, 2001.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvRecords } from '../src/history/csv';
import type { Annotator } from './popquorn';

export const JESTER_DIR = join(import.meta.dirname, '..', '..', 'shared', 'data', 'jester');
export const JESTER_SCALE = { min: -10, max: 10 } as const;

export interface Joke {
  id: number;
  text: string;
}

/** The jokes (by id) and every person's ratings, histories in joke id order. */
export function readJester(dir = JESTER_DIR): { jokes: Joke[]; people: Annotator[] } {
  const jokes = readCsvRecords(readFileSync(join(dir, 'jokes.csv'), 'utf8')).map((r, i) => {
    const id = Number(r.joke_id);
    if (!Number.isInteger(id) || !r.text) throw new Error(`Jester jokes.csv row ${i + 2} is malformed.`);
    return { id, text: r.text };
  });
  const text = new Map(jokes.map((j) => [j.id, j.text]));
  const byUser = new Map<string, { joke: number; rating: number }[]>();
  for (const [i, r] of readCsvRecords(readFileSync(join(dir, 'ratings.csv'), 'utf8')).entries()) {
    const [joke, rating] = [Number(r.joke_id), Number(r.rating)];
    if (!r.user_id || !text.has(joke) || !(rating >= JESTER_SCALE.min && rating <= JESTER_SCALE.max))
      throw new Error(`Jester ratings.csv row ${i + 2} is malformed.`);
    const rows = byUser.get(r.user_id) ?? [];
    rows.push({ joke, rating });
    byUser.set(r.user_id, rows);
  }
  const people = [...byUser]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([id, rows]) => ({
      id,
      history: rows
        .sort((a, b) => a.joke - b.joke)
        .map((r) => ({ text: text.get(r.joke)!, label: r.rating })),
    }));
  return { jokes, people };
}
