// A person's labelled history from pasted or imported CSV or JSON. Every row becomes an example or a
// problem that names the row and the reason: nothing is dropped silently.

import { CsvError } from '../errors';
import { type Example, hasVisibleText } from '../xpeft/task';
import { parseCsv } from './csv';

/** What a history's labels must be: one of a set of names, or a number in a closed range. */
export type LabelRule =
  | { kind: 'choice'; labels: readonly string[] }
  | { kind: 'range'; min: number; max: number };

/**
 * Why one row of an imported file was not kept.
 *
 * @group Histories
 */
export interface RowProblem {
  /** 1-based: the CSV line's row number (the header is row 1) or the JSON array position. */
  row: number;
  reason: string;
}

/**
 * A history read from a CSV or JSON file: the examples kept and the rows that were not.
 *
 * @group Histories
 */
export interface ImportedHistory {
  examples: Example[];
  problems: RowProblem[];
}

/**
 * The most a history source may hold: a longer text is refused before it is parsed, and rows past the
 * last one allowed are not read (each is named as a problem). A person's history is dozens to thousands
 * of examples; these bounds keep a paste of a whole dataset from exhausting the page's memory.
 *
 * @group Histories
 */
export const HISTORY_LIMITS = { characters: 5_000_000, rows: 10_000 } as const;

const TEXT_KEYS = ['text', 'sentence', 'review', 'comment'];
const LABEL_KEYS = ['label', 'rating', 'score'];
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Checks one label against the rule: the label to keep, or why it is refused. */
export function checkLabel(value: unknown, rule: LabelRule): { label: string | number } | { reason: string } {
  const raw = typeof value === 'string' ? value.trim() : value;
  if (raw === undefined || raw === null || raw === '') return { reason: 'the label is missing' };
  // Strict types: true, [3] or {"v": 3} are not labels, even where String() would make them look like one.
  if (typeof raw !== 'string' && typeof raw !== 'number')
    return { reason: `label ${JSON.stringify(raw)} is not a ${rule.kind === 'choice' ? 'name' : 'number'}` };
  if (rule.kind === 'choice') {
    const match = rule.labels.find((l) => l.toLowerCase() === String(raw).toLowerCase());
    return match !== undefined
      ? { label: match }
      : { reason: `label "${String(raw)}" is not one of ${rule.labels.join(', ')}` };
  }
  // Decimal numbers only: Number() would also read "0x3", "0b11", "1_0" or "Infinity".
  const n = typeof raw === 'number' ? raw : DECIMAL.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n)) return { reason: `label "${String(raw)}" is not a number` };
  if (n < rule.min || n > rule.max) return { reason: `label ${n} is outside ${rule.min}–${rule.max}` };
  return { label: n };
}

function toExample(text: unknown, label: unknown, rule: LabelRule): Example | { reason: string } {
  if (typeof text !== 'string' || !hasVisibleText(text))
    return { reason: 'the text is empty (no letter, digit or sign to read)' };
  const checked = checkLabel(label, rule);
  return 'reason' in checked ? checked : { text: text.trim(), label: checked.label };
}

function collect(rows: Iterable<[number, Example | { reason: string }]>): ImportedHistory {
  const out: ImportedHistory = { examples: [], problems: [] };
  let read = 0;
  for (const [row, r] of rows) {
    if (read++ === HISTORY_LIMITS.rows) {
      const most = HISTORY_LIMITS.rows.toLocaleString('en');
      out.problems.push({ row, reason: `this row and the ones after it were not read: at most ${most} are` });
      break;
    }
    if ('reason' in r) out.problems.push({ row, reason: r.reason });
    else out.examples.push(r);
  }
  return out;
}

/**
 * CSV with a header naming a text column (text, sentence, review or comment) and a label column (label,
 * rating or score), in any order; or, without such a header, rows of exactly two fields: text, label.
 *
 * @example
 * ```ts
 * const { examples, problems } = historyFromCsv(await file.text(), { kind: 'choice', labels: ['show', 'hide'] });
 * for (const p of problems) console.warn(`row ${p.row}: ${p.reason}`);
 * const { profile } = await personalizer.train(examples);
 * ```
 *
 * @group Histories
 */
export function historyFromCsv(source: string, rule: LabelRule): ImportedHistory {
  let rows: string[][];
  try {
    rows = parseCsv(source.replace(/^\uFEFF/, ''));
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    return { examples: [], problems: [{ row: e.row, reason: e.message }] };
  }
  const header = rows[0]?.map((h) => h.trim().toLowerCase()) ?? [];
  const textAt = header.findIndex((h) => TEXT_KEYS.includes(h));
  const labelAt = header.findIndex((h) => LABEL_KEYS.includes(h));
  const hasHeader = textAt >= 0 && labelAt >= 0;
  const width = hasHeader ? header.length : 2;
  const [t, l] = hasHeader ? [textAt, labelAt] : [0, 1];
  return collect(
    (function* () {
      for (const [i, r] of rows.entries()) {
        if (hasHeader && i === 0) continue;
        if (r.length === 1 && r[0]!.trim() === '') continue; // blank line
        yield [
          i + 1,
          r.length === width
            ? toExample(r[t], r[l], rule)
            : { reason: `the row has ${r.length} fields; ${width} were expected` },
        ];
      }
    })(),
  );
}

/**
 * JSON: an array of {text, label} objects (rating or score also name the label), or {examples: [...]}.
 *
 * @group Histories
 */
export function historyFromJson(source: string, rule: LabelRule): ImportedHistory {
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (e) {
    return { examples: [], problems: [{ row: 1, reason: `not valid JSON: ${(e as Error).message}` }] };
  }
  const list = Array.isArray(data) ? data : (data as { examples?: unknown })?.examples;
  if (!Array.isArray(list)) {
    return {
      examples: [],
      problems: [{ row: 1, reason: 'expected an array of {text, label} objects or {"examples": [...]}' }],
    };
  }
  return collect(
    list.map((item, i): [number, Example | { reason: string }] => {
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        return [i + 1, { reason: 'the entry is not an object' }];
      const o = item as Record<string, unknown>;
      const text = TEXT_KEYS.map((k) => o[k]).find((v) => v !== undefined);
      const label = LABEL_KEYS.map((k) => o[k]).find((v) => v !== undefined);
      return [i + 1, toExample(text, label, rule)];
    }),
  );
}

/** Reads pasted or imported text as JSON when it starts like JSON, otherwise as CSV. */
export function importHistory(source: string, rule: LabelRule): ImportedHistory {
  if (source.length > HISTORY_LIMITS.characters) {
    const [size, most] = [source.length, HISTORY_LIMITS.characters].map((n) => n.toLocaleString('en'));
    const reason = `the text is ${size} characters; at most ${most} are read (split it, or keep fewer rows)`;
    return { examples: [], problems: [{ row: 1, reason }] };
  }
  const start = source.trimStart()[0];
  return start === '[' || start === '{' ? historyFromJson(source, rule) : historyFromCsv(source, rule);
}
