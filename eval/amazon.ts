// Amazon Musical Instruments 5-core reviews (../shared/data/amazon_musical_instruments_5core): one
// profile per reviewer, each a history of (review text, 1–5 rating) in time order.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvRecords } from '../src/history/csv';
import type { Annotator } from './popquorn';

export const AMAZON_CSV = join(
  import.meta.dirname,
  '..',
  '..',
  'shared',
  'data',
  'amazon_musical_instruments_5core',
  'Musical_instruments_reviews.csv',
);

/** Reviewers with at least `minReviews` non-empty reviews, ordered by reviewer id; histories oldest first. */
export function readAmazon(minReviews: number, path = AMAZON_CSV): Annotator[] {
  const byUser = new Map<string, { time: number; text: string; rating: number }[]>();
  for (const [i, r] of readCsvRecords(readFileSync(path, 'utf8')).entries()) {
    const rating = Number(r.overall);
    if (!r.reviewerID || !(rating >= 1 && rating <= 5)) throw new Error(`Amazon row ${i + 2} is malformed.`);
    const text = [r.summary, r.reviewText].filter((t) => t && t.trim().length > 0).join('. ');
    if (text.trim().length === 0) continue; // a handful of reviews have neither title nor text
    const rows = byUser.get(r.reviewerID) ?? [];
    rows.push({ time: Number(r.unixReviewTime), text, rating });
    byUser.set(r.reviewerID, rows);
  }
  return [...byUser]
    .filter(([, rows]) => rows.length >= minReviews)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([id, rows]) => ({
      id,
      history: rows.sort((a, b) => a.time - b.time).map((r) => ({ text: r.text, label: r.rating })),
    }));
}
