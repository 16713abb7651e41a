// POPQUORN offensiveness ratings (../shared/data/popquorn_offensiveness): one profile per annotator,
// each a history of (Reddit comment, 1–5 rating).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Example } from '../src/advanced';
import { readCsvRecords } from '../src/history/csv';

export const POPQUORN_CSV = join(
  import.meta.dirname,
  '..',
  '..',
  'shared',
  'data',
  'popquorn_offensiveness',
  'raw_data.csv',
);

export interface Annotator {
  id: string;
  /** Ratings in instance_id order, so "the last m" is a fixed, reproducible split. */
  history: Example[];
}

export function readPopquorn(path = POPQUORN_CSV): Annotator[] {
  const byUser = new Map<string, { instance: number; example: Example }[]>();
  for (const [i, r] of readCsvRecords(readFileSync(path, 'utf8')).entries()) {
    const rating = Number(r.offensiveness);
    if (!r.text || !r.user_id || !(rating >= 1 && rating <= 5))
      throw new Error(`POPQUORN row ${i + 2} is malformed.`);
    const rows = byUser.get(r.user_id) ?? [];
    rows.push({ instance: Number(r.instance_id), example: { text: r.text, label: rating } });
    byUser.set(r.user_id, rows);
  }
  return [...byUser]
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([id, rows]) => ({
      id,
      history: rows.sort((a, b) => a.instance - b.instance).map((r) => r.example),
    }));
}
