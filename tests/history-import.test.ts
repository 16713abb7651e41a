// Importing a person's history from CSV or JSON: every row is kept or reported with its reason.

import { describe, expect, it } from 'vitest';
import {
  HISTORY_LIMITS,
  historyFromCsv,
  historyFromJson,
  importHistory,
  type LabelRule,
} from '../src/advanced';

const RATING: LabelRule = { kind: 'range', min: 1, max: 5 };
const YES_NO: LabelRule = { kind: 'choice', labels: ['no', 'yes'] };

describe('history import', () => {
  it('reads CSV with a header in any column order, quoted commas and a BOM', () => {
    const csv = '\uFEFFid,Label,Text\n1,4,"hello, world"\n2,1,"say ""hi"""\r\n\n';
    expect(historyFromCsv(csv, RATING)).toEqual({
      examples: [
        { text: 'hello, world', label: 4 },
        { text: 'say "hi"', label: 1 },
      ],
      problems: [],
    });
  });

  it('reads two-column CSV without a header and matches choice labels case-insensitively', () => {
    expect(historyFromCsv('great guitar,YES\nbroke in a week,no\n', YES_NO).examples).toEqual([
      { text: 'great guitar', label: 'yes' },
      { text: 'broke in a week', label: 'no' },
    ]);
  });

  it('reports every bad row by number with its reason and keeps the good ones', () => {
    const csv = 'text,label\nfine,3\n,2\nx,6\ny,\nz,maybe\n"a",1,extra\n';
    const out = historyFromCsv(csv, RATING);
    expect(out.examples).toEqual([{ text: 'fine', label: 3 }]);
    expect(out.problems).toEqual([
      { row: 3, reason: 'the text is empty (no letter, digit or sign to read)' },
      { row: 4, reason: 'label 6 is outside 1–5' },
      { row: 5, reason: 'the label is missing' },
      { row: 6, reason: 'label "maybe" is not a number' },
      { row: 7, reason: 'the row has 3 fields; 2 were expected' },
    ]);
  });

  it('reports a CSV that ends inside a quote at the row where the quote opened', () => {
    const out = historyFromCsv('text,label\ngood,1\n"open,1\n', RATING);
    expect(out.examples).toEqual([]);
    expect(out.problems).toEqual([
      { row: 3, reason: 'CSV row 3, column 1: a quoted field is never closed.' },
    ]);
  });

  it('follows RFC 4180 quoting: quotes inside unquoted text are refused with row and column, never dropped', () => {
    const stray = historyFromCsv('text,label\nfine,2\n5 "stars" great,5\n', RATING);
    expect(stray.examples).toEqual([]);
    expect(stray.problems).toEqual([
      {
        row: 3,
        reason:
          'CSV row 3, column 1: a quote inside an unquoted field; quote the whole field ("…") and write the quote as "".',
      },
    ]);
    const after = historyFromCsv('text,label\n"ok" then,2\n', RATING);
    expect(after.problems[0]!.reason).toMatch(/^CSV row 2, column 1: text after a closing quote/);
    const quoted = historyFromCsv('text,label\n"5 ""stars"" great",5\n', RATING);
    expect(quoted.examples).toEqual([{ text: '5 "stars" great', label: 5 }]);
  });

  it('takes labels of the right type only, and texts with something to read', () => {
    const bad = historyFromJson(
      JSON.stringify([
        { text: 'a', label: true },
        { text: 'b', label: [3] },
        { text: 'c', label: '0x3' },
        { text: 'd', label: 'Infinity' },
        { text: '\u200b\u200c\u2060', label: 3 },
        { text: 'e', label: ' 3.5 ' },
      ]),
      RATING,
    );
    expect(bad.examples).toEqual([{ text: 'e', label: 3.5 }]);
    expect(bad.problems.map((p) => p.reason)).toEqual([
      'label true is not a number',
      'label [3] is not a number',
      'label "0x3" is not a number',
      'label "Infinity" is not a number',
      'the text is empty (no letter, digit or sign to read)',
    ]);
  });

  it('reads JSON arrays and {examples}, with rating or score as the label', () => {
    const json = JSON.stringify([
      { text: 'a', label: 'yes' },
      { review: 'b', rating: 'no' },
      { text: 'c', label: 'perhaps' },
      'not an object',
    ]);
    expect(historyFromJson(json, YES_NO)).toEqual({
      examples: [
        { text: 'a', label: 'yes' },
        { text: 'b', label: 'no' },
      ],
      problems: [
        { row: 3, reason: 'label "perhaps" is not one of no, yes' },
        { row: 4, reason: 'the entry is not an object' },
      ],
    });
    expect(historyFromJson('{"examples":[{"text":"x","score":2.5}]}', RATING).examples).toEqual([
      { text: 'x', label: 2.5 },
    ]);
    expect(historyFromJson('{"rows":[]}', RATING).problems[0]!.reason).toMatch(/expected an array/);
    expect(historyFromJson('[{', RATING).problems[0]!.reason).toMatch(/^not valid JSON/);
  });

  it('reads at most its limits: a whole dataset pasted is refused or cut, with the reason, never a crash', () => {
    const rows = 300_000;
    const csv = `text,label\n${Array.from({ length: rows }, (_, i) => `t${i},1`).join('\n')}`;
    const cut = importHistory(csv, RATING);
    expect(cut.examples).toHaveLength(HISTORY_LIMITS.rows);
    expect(cut.problems).toEqual([
      {
        row: HISTORY_LIMITS.rows + 2,
        reason: 'this row and the ones after it were not read: at most 10,000 are',
      },
    ]);
    const json = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ text: `t${i}`, label: 2 })));
    expect(importHistory(json, RATING).examples).toHaveLength(HISTORY_LIMITS.rows);
    const huge = 'x'.repeat(HISTORY_LIMITS.characters + 1);
    expect(importHistory(huge, RATING)).toEqual({
      examples: [],
      problems: [
        { row: 1, reason: expect.stringMatching(/^the text is 5,000,001 characters; at most 5,000,000/) },
      ],
    });
  });

  it('detects the format from the first character', () => {
    expect(importHistory('  [{"text":"a","label":1}]', RATING).examples).toEqual([{ text: 'a', label: 1 }]);
    expect(importHistory('a,1', RATING).examples).toEqual([{ text: 'a', label: 1 }]);
  });
});
