// Readers for the GLUE files in ../shared/data/glue (TSV, tab-split with quoting disabled, see its README).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GLUE_DIR = join(import.meta.dirname, '..', '..', 'shared', 'data', 'glue');

export interface ScoredPair {
  a: string;
  b: string;
  score: number;
}

export function readTsv(path: string): string[][] {
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

/** The GLUE tasks used here, as engine examples: single texts or sentence pairs with a label or a score. */
export type GlueTask = 'SST-2' | 'MRPC' | 'RTE' | 'CoLA' | 'STS-B';

export interface GlueExample {
  text: string | [string, string];
  label: number; // class index, or the 0–5 similarity score for STS-B
}

function columns(header: string[], names: string[], file: string): number[] {
  return names.map((n) => {
    const i = header.indexOf(n);
    if (i < 0) throw new Error(`${file} has no column "${n}".`);
    return i;
  });
}

/** Reads one split of a GLUE task, checking every row; see ../shared/data/glue/README.md for the layouts. */
export function readGlue(task: GlueTask, split: 'train' | 'dev', dir = GLUE_DIR): GlueExample[] {
  const file = `${task}/${split}.tsv`;
  const rows = readTsv(join(dir, task, `${split}.tsv`));
  const bad = (n: number): never => {
    throw new Error(`${file} row ${n + 1} is malformed.`);
  };
  if (task === 'SST-2') return readSst2(split, dir).map((e) => ({ text: e.text, label: e.label }));
  if (task === 'STS-B') return readStsb(split, dir).map((p) => ({ text: [p.a, p.b], label: p.score }));
  if (task === 'CoLA') {
    // No header: source, label, original mark, sentence.
    return rows.map((r, n) =>
      r.length === 4 && (r[1] === '0' || r[1] === '1') ? { text: r[3]!, label: Number(r[1]) } : bad(n),
    );
  }
  const [header, ...body] = rows;
  if (task === 'MRPC') {
    const [q, a, b] = columns(header!, ['Quality', '#1 String', '#2 String'], file);
    return body.map((r, n) =>
      r.length === header!.length && (r[q!] === '0' || r[q!] === '1')
        ? { text: [r[a!]!, r[b!]!], label: Number(r[q!]) }
        : bad(n + 1),
    );
  }
  const [a, b, l] = columns(header!, ['sentence1', 'sentence2', 'label'], file);
  const labels = ['entailment', 'not_entailment'];
  return body.map((r, n) => {
    const label = labels.indexOf(r[l!]!);
    return r.length === header!.length && label >= 0
      ? { text: [r[a!]!, r[b!]!] as [string, string], label }
      : bad(n + 1);
  });
}
