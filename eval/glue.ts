// Readers for the GLUE files in ../shared/data/glue (TSV, tab-split with quoting disabled, see its README).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GLUE_DIR = join(import.meta.dirname, '..', '..', 'shared', 'data', 'glue');

export interface ScoredPair {
  a: string;
  b: string;
  score: number;
}

function readTsv(path: string): string[][] {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

/** STS-B pairs with their 0–5 similarity score. */
export function readStsb(split: 'train' | 'dev', dir = GLUE_DIR): ScoredPair[] {
  const [header, ...rows] = readTsv(join(dir, 'STS-B', `${split}.tsv`));
  const col = (name: string) => {
    const i = header!.indexOf(name);
    if (i < 0) throw new Error(`STS-B ${split}.tsv has no column "${name}".`);
    return i;
  };
  const [ia, ib, is] = [col('sentence1'), col('sentence2'), col('score')];
  return rows.map((r, n) => {
    const score = Number(r[is]);
    if (r.length !== header!.length || !Number.isFinite(score))
      throw new Error(`STS-B ${split}.tsv row ${n + 2} is malformed.`);
    return { a: r[ia]!, b: r[ib]!, score };
  });
}

export interface LabelledSentence {
  text: string;
  label: number;
}

/** SST-2 sentences with their 0/1 sentiment label (files have a header and a trailing space per sentence). */
export function readSst2(split: 'train' | 'dev', dir = GLUE_DIR): LabelledSentence[] {
  const [header, ...rows] = readTsv(join(dir, 'SST-2', `${split}.tsv`));
  if (header?.[0] !== 'sentence' || header[1] !== 'label')
    throw new Error(`SST-2 ${split}.tsv has an unexpected header.`);
  return rows.map((r, n) => {
    const label = Number(r[1]);
    if (r.length !== 2 || (label !== 0 && label !== 1))
      throw new Error(`SST-2 ${split}.tsv row ${n + 2} is malformed.`);
    return { text: r[0]!.trim(), label };
  });
}
