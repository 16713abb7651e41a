// A small RFC 4180 CSV reader: comma-separated; a field is quoted ("…", with "" for a quote) or has no
// quote at all. Anything else is refused with the row and column, never silently changed.

import { CsvError, InputError } from '../errors';

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false; // the current field was a quoted one, now closed
  let quoteRow = 0;
  const fail = (problem: string, at = rows.length + 1): never => {
    throw new CsvError(at, row.length + 1, problem);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        wasQuoted = true;
      } else field += c;
    } else if (c === ',') {
      row.push(field);
      field = '';
      wasQuoted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      wasQuoted = false;
    } else if (wasQuoted) {
      fail('text after a closing quote; quote the whole field and write a quote inside it as "".');
    } else if (c === '"') {
      if (field.length > 0)
        fail('a quote inside an unquoted field; quote the whole field ("…") and write the quote as "".');
      quoted = true;
      quoteRow = rows.length + 1;
    } else field += c;
  }
  if (quoted) fail('a quoted field is never closed.', quoteRow);
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Rows as objects keyed by the header; rows whose width differs from the header's throw. */
export function readCsvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) return [];
  return rows.map((r, i) => {
    if (r.length !== header.length)
      throw new InputError(`CSV row ${i + 2} has ${r.length} fields; the header has ${header.length}.`);
    return Object.fromEntries(header.map((h, j) => [h, r[j]!]));
  });
}
